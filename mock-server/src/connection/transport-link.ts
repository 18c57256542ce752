/**
 * The hub layer's view of the transport under a connection (ASP.NET Core's transport side of the pipe). The
 * HTTP connection behind it may swap the underlying socket (stateful reconnect) without the hub layer noticing.
 */
export interface TransportLink {
  /** Long polling: the transport keeps itself alive, so no pings either way. */
  readonly inherentKeepAlive: boolean;
  /** Server-Sent Events carry text only. */
  readonly supportsBinary: boolean;
  /** Puts one frame on the wire; `false` when no transport is attached right now (it is lost to the transport). */
  write(frame: string | Uint8Array): boolean;
  /** Ends the transport gracefully: WebSocket close 1000, the SSE response ends, the last poll gets 204. */
  end(): void;
  /** Ends it abruptly: the TCP connection is destroyed without any close handshake. */
  drop(): void;
}

/** The hub layer as the HTTP connection drives it. */
export interface ConnectionApplication {
  /** The application has ended (it no longer needs its transport). */
  readonly closed: boolean;
  /** Data from the client: one WebSocket message, or one POST body. */
  receive(data: string | Uint8Array): void;
  /**
   * The transport is gone. `reconnectable`: a WebSocket dropped on a stateful-reconnect connection, which may come
   * back; the HTTP connection calls {@link ConnectionApplication.transportLost} if it does not.
   */
  transportClosed(error: Error | undefined, reconnectable: boolean): void;
  /** A stateful-reconnect connection got a new WebSocket: resend what the client has not acknowledged. */
  transportRestored(): void;
  /** The connection is disposed (disconnect timeout, server shutdown). */
  transportLost(error: Error | undefined): void;
  /** The client ended the transport on purpose (long polling's DELETE). */
  transportEndedByClient?(): void;
}
