import type { ConnectionApplication, TransportLink } from '../connection/transport-link.js';
import type { ConnectionRequest, HubUser, TransportName } from '../hub/types.js';

/** A connection without the hub protocol (ASP.NET Core's `MapConnectionHandler`), e.g. an echo endpoint. */
export interface RawConnection {
  readonly connectionId: string;
  readonly user: HubUser | undefined;
  readonly request: ConnectionRequest;
  send(data: string | Uint8Array): void;
  close(): void;
}

/** A raw connection endpoint: frames in, frames out, no handshake. */
export interface ConnectionHandler {
  onConnected?(connection: RawConnection): void;
  onMessage(connection: RawConnection, data: string | Uint8Array): void;
  onDisconnected?(connection: RawConnection, error: Error | undefined): void;
  /** Transports offered (default all three). */
  readonly transports?: readonly TransportName[];
}

/** Serves a {@link ConnectionHandler} on one connection. */
export class RawApplication implements ConnectionApplication, RawConnection {
  closed = false;

  constructor(
    private readonly handler: ConnectionHandler,
    private readonly link: TransportLink,
    readonly connectionId: string,
    readonly user: HubUser | undefined,
    readonly request: ConnectionRequest,
  ) {
    handler.onConnected?.(this);
  }

  send(data: string | Uint8Array): void {
    if (!this.closed) this.link.write(data);
  }

  close(): void {
    if (this.closed) return;
    this.link.end();
    this.finish(undefined);
  }

  receive(data: string | Uint8Array): void {
    if (!this.closed) this.handler.onMessage(this, data);
  }

  transportClosed(error: Error | undefined): void {
    this.finish(error);
  }

  transportRestored(): void {}

  transportLost(error: Error | undefined): void {
    this.finish(error);
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.handler.onDisconnected?.(this, error);
  }
}
