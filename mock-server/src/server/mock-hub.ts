import type { JwtPayload } from '../auth/jwt.js';
import type { AuthOptions } from '../auth/authenticate.js';
import type { GroupManager, HubClients, HubDefinition, TransportName } from '../hub/types.js';
import type { Condition, ConnectionHandle, Faults, LogEntry, MessageFilter } from './controls.js';
import type { ConnectionOptions, HubOptions, ProtocolOptions } from './options.js';
import type { ConnectionHandler } from './raw-connection.js';

/** A custom HTTP route: the test hub's `/generateJwtToken`, `/redirect/*`, or your own. */
export interface Route {
  /** Only this method (any when omitted). */
  readonly method?: string;
  /** Exact path, or a prefix when it ends with `/*` (`/redirect/*` matches `/redirect` and below). */
  readonly path: string;
  handler(request: Request, context: RouteContext): Response | Promise<Response>;
}

export interface RouteContext {
  readonly url: URL;
  readonly server: MockHub;
}

/** Wraps every HTTP request (not WebSocket messages): e.g. to set cookies on negotiate. */
export type Middleware = (
  request: Request,
  next: () => Promise<Response | undefined>,
  context: RouteContext,
) => Promise<Response | undefined>;

/** Everything a mock hub server is made of; the Node server and msw mode take the same options. */
export interface MockHubOptions extends HubOptions, ConnectionOptions {
  /** Hubs by path, e.g. `{ '/chat': chatHub }`. */
  readonly hubs?: Readonly<Record<string, HubDefinition>>;
  /** Raw connection endpoints (no hub protocol) by path. */
  readonly connections?: Readonly<Record<string, ConnectionHandler>>;
  readonly routes?: readonly Route[];
  readonly middleware?: readonly Middleware[];
  readonly auth?: AuthOptions;
  readonly protocols?: ProtocolOptions;
  /** Answer CORS preflights and allow any origin with credentials (default `true`: tests run pages anywhere). */
  readonly cors?: boolean;
  /** Entries kept in the message log (default 10 000; 0 turns logging off, e.g. for load tests). */
  readonly logLimit?: number;
}

/** `IHubContext<THub>`: a hub's clients and groups from outside any method, and its live connections. */
export interface HubContext {
  readonly clients: HubClients;
  readonly groups: GroupManager;
  readonly connections: readonly ConnectionHandle[];
}

/** The test-facing side of a mock hub server, shared by the Node server and msw mode. */
export interface MockHub {
  /** A hub by its path. */
  hub(path: string): HubContext;
  /** Every live hub connection. */
  readonly connections: readonly ConnectionHandle[];
  connection(connectionId: string): ConnectionHandle | undefined;
  /** Every message received or sent, oldest first (up to `logLimit`). */
  readonly log: readonly LogEntry[];
  clearLog(): void;
  /** Errors thrown by `onDisconnected` hooks, which no client could be told about. */
  readonly errors: readonly { readonly connectionId: string; readonly error: Error }[];
  /** Resolves with the first truthy value `condition` returns for a server event from now on. */
  waitFor<T>(condition: Condition<T>, options?: { readonly timeoutMs?: number }): Promise<T>;
  /** A connection matching the filter, live now or the next to connect. */
  waitForConnection(
    filter?: { readonly hub?: string; readonly transport?: TransportName; readonly userId?: string },
    options?: { readonly timeoutMs?: number },
  ): Promise<ConnectionHandle>;
  /** Resolves when the connection is gone, with the error it ended with. */
  waitForDisconnect(
    connectionId: string,
    options?: { readonly timeoutMs?: number },
  ): Promise<Error | undefined>;
  /** A logged message matching the filter, already logged or the next one. */
  waitForMessage(filter: MessageFilter, options?: { readonly timeoutMs?: number }): Promise<LogEntry>;
  readonly faults: Faults;
  /** Drops every connection abruptly (no close handshake). */
  dropAll(): void;
  /** Sends Close (with this error and `allowReconnect`) to every connection. */
  closeAll(options?: { readonly error?: string; readonly allowReconnect?: boolean }): void;
  /** Issues a token this server accepts (`sub` = user, plus `claims`), valid for `expiresInSeconds` (default 3600). */
  issueToken(user: string, expiresInSeconds?: number, claims?: JwtPayload): Promise<string>;
}
