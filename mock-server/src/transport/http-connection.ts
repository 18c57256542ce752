import type { ConnectionApplication, TransportLink } from '../connection/transport-link.js';
import type { ConnectionRequest, HubUser, NegotiateAnswer, TransportName } from '../hub/types.js';
import type { Channel } from './channel.js';

/** A hub, or a raw connection handler, as the HTTP layer serves it. */
export interface Endpoint {
  readonly path: string;
  readonly transports: readonly TransportName[];
  readonly allowStatefulReconnects: boolean;
  /** WebSocket frames are always text (raw connection handlers), rather than following each frame's type. */
  readonly textFrames?: boolean;
  /** A redirect or an error to answer negotiate with, instead of a connection. */
  negotiate?(user: HubUser | undefined, request: ConnectionRequest): Promise<NegotiateAnswer | undefined>;
  /** `undefined`: allowed; 401 without a user, 403 with one. */
  authorize(user: HubUser | undefined, request: ConnectionRequest): Promise<401 | 403 | undefined>;
  createApplication(
    connection: HttpConnection,
    user: HubUser | undefined,
    request: ConnectionRequest,
  ): ConnectionApplication;
}

export type ConnectionStatus = 'inactive' | 'active' | 'disposed';

/**
 * One connection at the HTTP level (ASP.NET Core's `HttpConnectionContext`): its id and secret token, which
 * transport it settled on, whether a transport request is active, and the application (the hub layer) on top.
 * It is the hub layer's {@link TransportLink}; the channel below can change (stateful reconnect).
 */
export class HttpConnection implements TransportLink {
  status: ConnectionStatus = 'inactive';
  /** When it last became inactive (or was created): inactive connections are reaped after the disconnect timeout. */
  lastSeen = Date.now();
  transport: TransportName | undefined;
  channel: Channel | undefined;
  application: ConnectionApplication | undefined;
  private input: (string | Uint8Array)[] = [];

  constructor(
    readonly connectionId: string,
    readonly token: string,
    readonly endpoint: Endpoint,
    readonly statefulReconnect: boolean,
    private readonly onDisposed: (connection: HttpConnection) => void,
  ) {}

  // ---- TransportLink (for the hub layer) -------------------------------------------------------------------

  get inherentKeepAlive(): boolean {
    return this.transport === 'LongPolling';
  }

  get supportsBinary(): boolean {
    return this.transport !== 'ServerSentEvents';
  }

  write(frame: string | Uint8Array): boolean {
    return this.channel?.write(frame) ?? false;
  }

  end(): void {
    const channel = this.channel;
    if (channel === undefined) return;
    channel.end();
    // The application ended it: a WebSocket or an SSE response is over now; long polling ends at the 204 poll.
    if (this.transport !== 'LongPolling') this.dispose(undefined, false);
  }

  drop(): void {
    this.channel?.drop();
    // Over HTTP transports a dropped client is a connection gone: later polls and sends find nothing (404). A
    // WebSocket's close event (1006) decides instead, so that a stateful-reconnect connection can be reattached.
    if (this.transport !== 'WebSockets') this.dispose(new Error('The connection was dropped.'));
  }

  // ---- driven by the transports ----------------------------------------------------------------------------

  /** Starts the hub layer on the first transport request; data POSTed before it is replayed to it. */
  start(user: HubUser | undefined, request: ConnectionRequest): void {
    if (this.application !== undefined) return;
    this.application = this.endpoint.createApplication(this, user, request);
    const input = this.input;
    this.input = [];
    for (const data of input) this.application.receive(data);
  }

  receive(data: string | Uint8Array): void {
    if (this.application === undefined) this.input.push(data);
    else this.application.receive(data);
  }

  markActive(): void {
    if (this.status !== 'disposed') this.status = 'active';
  }

  markInactive(): void {
    if (this.status === 'disposed') return;
    this.status = 'inactive';
    this.lastSeen = Date.now();
  }

  /** Ends the connection for good: removed from the server, and the hub layer told unless it ended it itself. */
  dispose(error?: Error, notify = true): void {
    if (this.status === 'disposed') return;
    this.status = 'disposed';
    this.onDisposed(this);
    this.channel?.end();
    if (notify) this.application?.transportLost(error);
  }
}
