import type { Channel } from './channel.js';

/**
 * A server-side WebSocket as the adapters provide it: Node's `ws`, or msw's `ws.link` client. Text frames for
 * strings, binary frames for bytes (sent as the exact bytes: no copy into a larger buffer).
 */
export interface ServerWebSocket {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  /** Destroys the connection without a close handshake. */
  terminate(): void;
}

export class WebSocketChannel implements Channel {
  private open = true;

  constructor(readonly socket: ServerWebSocket) {}

  write(frame: string | Uint8Array): boolean {
    if (!this.open) return false;
    this.socket.send(frame);
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
