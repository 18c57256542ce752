/** One transport's way to the client, under an HTTP connection. */
export interface Channel {
  /** `false` when the frame could not be put on the wire (the channel has ended). */
  write(frame: string | Uint8Array): boolean;
  /** Graceful end: WebSocket close 1000, SSE response ends, the next poll gets 204. */
  end(): void;
  /** Abrupt end: the TCP connection is destroyed. */
  drop(): void;
}

/**
 * The error an adapter sees when a response must end abruptly (a dropped SSE stream or long poll): it destroys the
 * socket instead of completing the response. msw maps it to a network error.
 */
export class DropConnection extends Error {
  override readonly name = 'DropConnection' as const;
  constructor() {
    super('The mock server dropped the connection (fault injection).');
  }
}
