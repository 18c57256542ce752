import type { Channel } from './channel.js';

/**
 * A server-side WebSocket as the adapters provide it: Node's `ws`, or msw's `ws.link` client. Bytes go as the exact
 * bytes (no copy into a larger buffer), in a binary frame or, when `binary` is false, a text frame.
 */
export interface ServerWebSocket {
  send(data: string | Uint8Array, binary: boolean): void;
  close(code: number, reason: string): void;
  /** Destroys the connection without a close handshake. */
  terminate(): void;
}

export class WebSocketChannel implements Channel {
  private open = true;

  /**
   * `textFrames`: every frame goes as text, bytes included (a raw connection handler's transfer format is Text in
   * ASP.NET Core). Otherwise strings go as text and bytes as binary (a hub connection's frames follow its protocol).
   */
  constructor(
    readonly socket: ServerWebSocket,
    private readonly textFrames = false,
  ) {}

  write(frame: string | Uint8Array): boolean {
    if (!this.open) return false;
    this.socket.send(frame, typeof frame !== 'string' && !this.textFrames);
    return true;
  }

  end(): void {
    if (!this.open) return;
    this.open = false;
    this.socket.close(1000, '');
  }

  drop(): void {
    this.open = false;
    this.socket.terminate();
  }

  /** The socket closed from the other side. */
  closed(): void {
    this.open = false;
  }
}
