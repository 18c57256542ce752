import { challenge, forbidden, type Authenticator } from '../auth/authenticate.js';
import type { HubUser, TransportName } from '../hub/types.js';
import type { ResolvedConnectionOptions } from '../server/options.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Endpoint, HttpConnection } from './http-connection.js';
import { emptyPoll, LongPollingChannel, NO_CACHE_HEADERS } from './long-polling-channel.js';
import { negotiate, negotiateError, negotiateRedirect, queryValue } from './negotiate.js';
import { connectionRequest } from './request-info.js';
import { SseChannel } from './sse-channel.js';
import { WebSocketChannel, type ServerWebSocket } from './websocket-channel.js';

/** Faults the HTTP layer consults (test controls). */
export interface HttpFaults {
  /** A response to send instead of the next negotiate, if one is armed. */
  takeNegotiateFailure(): Response | undefined;
  /** Whether to answer this request 401 (forcing a token refresh), if armed. */
  takeUnauthorized(): boolean;
}

export interface HttpServices {
  readonly manager: ConnectionManager;
  readonly auth: Authenticator;
  readonly options: ResolvedConnectionOptions;
  readonly faults: HttpFaults;
}

/** What a WebSocket upgrade request leads to: an HTTP answer instead of 101, or the socket's event handlers. */
export type WebSocketDecision =
  | { readonly kind: 'reject'; readonly response: Response }
  | { readonly kind: 'accept'; accept(socket: ServerWebSocket): WebSocketHandlers };

export interface WebSocketHandlers {
  message(data: string | Uint8Array): void;
  /** `clean`: the client sent a close frame; otherwise the connection dropped. */
  close(clean: boolean): void;
}

function text(status: number, body = '', extraHeaders: Record<string, string> = {}): Response {
  return new Response(body === '' ? null : body, {
    status,
    headers: { 'Content-Type': 'text/plain', ...extraHeaders },
  });
}

type Authorized = { readonly user: HubUser | undefined } | { readonly response: Response };

async function authorize(
  services: HttpServices,
  endpoint: Endpoint,
  request: Request,
  url: URL,
): Promise<Authorized> {
  if (services.faults.takeUnauthorized()) return { response: challenge() };
  const authentication = await services.auth.authenticate(request, url);
  if (authentication.kind === 'invalid' && services.auth.rejectInvalidTokens) {
    return { response: challenge(authentication.error) };
  }
  const user = authentication.kind === 'user' ? authentication.user : undefined;
  const refusal = await endpoint.authorize(user, connectionRequest(request, url));
  if (refusal === 401)
    return { response: challenge(authentication.kind === 'invalid' ? authentication.error : undefined) };
  if (refusal === 403) return { response: forbidden() };
  return { user };
}

/** Finds the connection named by `id` (400 without one, 404 for an unknown one). */
function lookup(
  services: HttpServices,
  url: URL,
  headers: Record<string, string> = {},
): HttpConnection | Response {
  const id = queryValue(url, 'id');
  if (id === undefined || id === '') return text(400, 'Connection ID required', headers);
  const connection = services.manager.get(id);
  if (connection === undefined) return text(404, 'No Connection with that ID', headers);
  return connection;
}

/** Settles the connection's transport (404 if the hub does not offer it, 400 if it already uses another). */
function claimTransport(
  connection: HttpConnection,
  transport: TransportName,
  headers: Record<string, string> = {},
): Response | undefined {
  if (!connection.endpoint.transports.includes(transport)) {
    return text(404, `${transport} transport not supported by this end point type`, headers);
  }
  if (connection.transport === undefined) connection.transport = transport;
  else if (connection.transport !== transport)
    return text(400, 'Cannot change transports mid-connection', headers);
  return undefined;
}

/** `POST {hub}/negotiate`. */
export async function handleNegotiate(
  services: HttpServices,
  endpoint: Endpoint,
  request: Request,
  url: URL,
): Promise<Response> {
  if (request.method !== 'POST') return text(405);
  const failure = services.faults.takeNegotiateFailure();
  if (failure !== undefined) return failure;
  const authorized = await authorize(services, endpoint, request, url);
  if ('response' in authorized) return authorized.response;
  const answer = await endpoint.negotiate?.(authorized.user, connectionRequest(request, url));
  if (answer !== undefined) {
    if ('error' in answer) return negotiateError(answer.error);
    return negotiateRedirect(answer.redirect, answer.accessToken);
  }
  return negotiate(url, endpoint, services.manager, services.options.minimumNegotiateVersion);
}

/** Requests to `{hub}` other than WebSocket upgrades: polls, SSE, sends, DELETE. */
export async function handleConnection(
  services: HttpServices,
  endpoint: Endpoint,
  request: Request,
  url: URL,
): Promise<Response> {
  const method = request.method;
  if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') return text(405);
  const sse = method === 'GET' && (request.headers.get('accept') ?? '').includes('text/event-stream');
  // Long-polling GETs carry the no-cache headers, error responses included.
  const headers = method === 'GET' && !sse ? NO_CACHE_HEADERS : {};
  const authorized = await authorize(services, endpoint, request, url);
  if ('response' in authorized) return authorized.response;
  const found = lookup(services, url, headers);
  if (found instanceof Response) return found;
  const connection = found;
  if (connection.endpoint !== endpoint) return text(404, 'No Connection with that ID', headers);
  if (method === 'POST') return send(connection, request);
  if (method === 'DELETE') {
    if (connection.transport !== 'LongPolling')
      return text(400, 'Cannot terminate this connection using the DELETE endpoint.');
    connection.application?.transportEndedByClient?.();
    connection.dispose(undefined, false);
    return text(202);
  }
  const info = connectionRequest(request, url);
  if (sse) {
    const refused = claimTransport(connection, 'ServerSentEvents');
    if (refused !== undefined) return refused;
    if (connection.status !== 'inactive') return text(connection.status === 'active' ? 409 : 404);
    const gone = () =>
      connection.dispose(new Error('The Server-Sent Events response was closed by the client.'));
    const channel = new SseChannel(gone);
    // The client closing its EventSource aborts the request (what ASP.NET Core's RequestAborted sees).
    request.signal.addEventListener('abort', () => {
      if (connection.channel === channel) gone();
    });
    connection.channel = channel;
    connection.markActive();
    connection.start(authorized.user, info);
    return new Response(channel.body, {
      status: 200,
      headers: {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache,no-store',
        Pragma: 'no-cache',
        'Content-Encoding': 'identity',
      },
    });
  }
  const refused = claimTransport(connection, 'LongPolling', headers);
  if (refused !== undefined) return refused;
  if (connection.status === 'disposed') return text(404, '', headers);
  if (connection.application === undefined) {
    // The first poll starts the connection and returns at once, empty.
    connection.channel = new LongPollingChannel(services.options.longPollTimeoutMs, {
      pollStarted: () => connection.markActive(),
      pollEnded: () => connection.markInactive(),
      finished: () => connection.dispose(undefined, false),
    });
    connection.markInactive();
    connection.start(authorized.user, info);
    return emptyPoll(200, 'application/octet-stream');
  }
  return (connection.channel as LongPollingChannel).handlePoll(request.signal);
}

async function send(connection: HttpConnection, request: Request): Promise<Response> {
  if (connection.transport === 'WebSockets')
    return text(405, 'POST requests are not allowed for WebSocket connections.');
  let body: Uint8Array;
  try {
    body = new Uint8Array(await request.arrayBuffer());
  } catch {
    return text(400);
  }
  if (connection.status === 'disposed') return text(404);
  if (body.length > 0) connection.receive(body);
  return text(200);
}

/** A WebSocket upgrade to `{hub}`: connect (creating a connection when there is no `id`), or reattach. */
export async function handleWebSocket(
  services: HttpServices,
  endpoint: Endpoint,
  request: Request,
  url: URL,
): Promise<WebSocketDecision> {
  const reject = (response: Response): WebSocketDecision => ({ kind: 'reject', response });
  const authorized = await authorize(services, endpoint, request, url);
  if ('response' in authorized) return reject(authorized.response);
  const id = queryValue(url, 'id');
  let connection: HttpConnection;
  if (id === undefined || id === '') {
    if (!endpoint.transports.includes('WebSockets'))
      return reject(text(404, 'WebSockets transport not supported by this end point type'));
    connection = services.manager.create(endpoint, 0, false);
  } else {
    const found = services.manager.get(id);
    if (found === undefined || found.endpoint !== endpoint) {
      // Without a Content-Type, as ASP.NET Core answers this one (a bytes body gets none from Response).
      return reject(new Response(new TextEncoder().encode('No Connection with that ID'), { status: 404 }));
    }
    connection = found;
  }
  const refused = claimTransport(connection, 'WebSockets');
  if (refused !== undefined) return reject(refused);
  // A second socket on a live connection is refused, unless it is a stateful-reconnect reattach.
  const reattach = connection.application !== undefined;
  if (connection.status === 'active' && connection.statefulReconnect) {
    // ASP.NET Core takes the new socket for a reattach, cancels the old one (closed with 1000), then finds the
    // connection still active and gives up on both: the connection is gone and the new request gets 404.
    connection.dispose();
    return reject(text(404));
  }
  if (connection.status === 'active' || (reattach && !connection.statefulReconnect)) return reject(text(409));
  if (connection.status === 'disposed') return reject(text(404));
  const info = connectionRequest(request, url);
  return {
    kind: 'accept',
    accept(socket) {
      const channel = new WebSocketChannel(socket, endpoint.textFrames === true);
      connection.channel = channel;
      connection.markActive();
      if (reattach) connection.application!.transportRestored();
      else connection.start(authorized.user, info);
      return {
        message: (data) => {
          if (connection.channel === channel) connection.receive(data);
        },
        close: (clean) => {
          channel.closed();
          if (connection.channel !== channel || connection.status === 'disposed') return;
          const error = clean ? undefined : new Error('The WebSocket closed without a close handshake.');
          if (!clean && connection.statefulReconnect) {
            // Keep the connection for a reattach within the disconnect timeout, if the hub layer can resend.
            connection.markInactive();
            connection.application?.transportClosed(error, true);
            if (connection.application?.closed !== true) return;
          }
          connection.dispose(error);
        },
      };
    },
  };
}
