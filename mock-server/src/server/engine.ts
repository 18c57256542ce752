import type { JwtPayload } from '../auth/jwt.js';
import type { HubProtocol } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { Authenticator } from '../auth/authenticate.js';
import { HubConnection } from '../connection/hub-connection.js';
import { MockServerError } from '../errors.js';
import type { HubUser, TransportName } from '../hub/types.js';
import { ConnectionManager } from '../transport/connection-manager.js';
import {
  handleConnection,
  handleNegotiate,
  handleWebSocket,
  type HttpServices,
  type WebSocketDecision,
} from '../transport/http-dispatcher.js';
import type { Endpoint } from '../transport/http-connection.js';
import {
  Controls,
  matches,
  type Condition,
  type ConnectionHandle,
  type Faults,
  type LogEntry,
  type MessageFilter,
} from './controls.js';
import { dotnetJsonHubProtocol } from './dotnet-json.js';
import { createHubRuntime, type HubRuntime } from './hub-runtime.js';
import type { HubContext, Middleware, MockHub, MockHubOptions, Route, RouteContext } from './mock-hub.js';
import { resolveConnectionOptions } from './options.js';
import { RawApplication, type ConnectionHandler } from './raw-connection.js';

export type { HubContext, Middleware, MockHub, MockHubOptions, Route, RouteContext } from './mock-hub.js';

function normalizePath(path: string): string {
  if (!path.startsWith('/')) throw new MockServerError(`Paths must start with '/': '${path}'.`);
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
}

function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get('origin');
  if (origin === null) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'WWW-Authenticate',
    Vary: 'Origin',
  };
}

/**
 * The mock hub server, independent of any network stack: fetch-style `handle(Request)` for HTTP, `upgrade(Request)`
 * for WebSockets. The Node server and msw mode are thin adapters over it.
 */
export class MockHubEngine implements MockHub {
  private readonly controls: Controls;
  private readonly services: HttpServices;
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly runtimes = new Map<string, HubRuntime>();
  private readonly live = new Set<HubConnection>();
  private readonly routes: readonly Route[];
  private readonly middleware: readonly Middleware[];
  private readonly cors: boolean;
  private readonly auth: Authenticator;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly tickMs: number;

  constructor(options: MockHubOptions = {}) {
    this.controls = new Controls(options.logLimit ?? 10_000);
    this.auth = new Authenticator(options.auth);
    const connectionOptions = resolveConnectionOptions(options);
    this.services = {
      manager: new ConnectionManager(connectionOptions.disconnectTimeoutMs),
      auth: this.auth,
      options: connectionOptions,
      faults: this.controls,
    };
    this.routes = options.routes ?? [];
    this.middleware = options.middleware ?? [];
    this.cors = options.cors ?? true;
    const protocols = new Map<string, HubProtocol>();
    // Server style: JSON written with System.Text.Json's escaping.
    if (options.protocols?.json !== false) {
      protocols.set('json', dotnetJsonHubProtocol(options.protocols?.json || {}));
    }
    if (options.protocols?.messagepack !== false) {
      // Server style: every Invocation with its (possibly empty) stream-id array, as ASP.NET Core writes them.
      protocols.set(
        'messagepack',
        messagePackHubProtocol({ ...(options.protocols?.messagepack || {}), writeEmptyStreamIds: true }),
      );
    }
    let tick = 1000;
    for (const [path, definition] of Object.entries(options.hubs ?? {})) {
      const key = normalizePath(path);
      const runtime = createHubRuntime(key, definition, options, protocols, this.controls, this.controls);
      this.runtimes.set(key, runtime);
      this.addEndpoint(key, this.hubEndpoint(runtime));
      const { keepAliveIntervalMs, clientTimeoutIntervalMs, handshakeTimeoutMs } = runtime.options;
      tick = Math.min(tick, keepAliveIntervalMs / 2, clientTimeoutIntervalMs / 4, handshakeTimeoutMs / 4);
    }
    for (const [path, handler] of Object.entries(options.connections ?? {})) {
      this.addEndpoint(normalizePath(path), this.rawEndpoint(normalizePath(path), handler));
    }
    tick = Math.min(tick, connectionOptions.disconnectTimeoutMs / 4);
    this.tickMs = Math.max(10, Math.floor(tick));
  }

  private addEndpoint(path: string, endpoint: Endpoint): void {
    if (this.endpoints.has(path)) throw new MockServerError(`Two endpoints on '${path}'.`);
    this.endpoints.set(path, endpoint);
  }

  private hubEndpoint(runtime: HubRuntime): Endpoint {
    const { hub } = runtime;
    return {
      path: runtime.path,
      transports: hub.transports,
      allowStatefulReconnects: hub.allowStatefulReconnects,
      negotiate: async (user, request) => runtime.hub.definition.negotiate?.(request, user),
      authorize: async (user, request) => {
        const rule = hub.authorize;
        if (rule === undefined || rule === false) return undefined;
        const allowed = rule === true ? user !== undefined : await rule(user, request);
        return allowed ? undefined : user === undefined ? 401 : 403;
      },
      createApplication: (connection, user, request) => {
        const hubConnection = new HubConnection(
          runtime,
          {
            connectionId: connection.connectionId,
            user,
            request,
            transport: connection.transport!,
            statefulReconnect: connection.statefulReconnect,
            link: connection,
          },
          connection,
        );
        this.live.add(hubConnection);
        return hubConnection;
      },
    };
  }

  private rawEndpoint(path: string, handler: ConnectionHandler): Endpoint {
    return {
      path,
      transports: handler.transports ?? ['WebSockets', 'ServerSentEvents', 'LongPolling'],
      allowStatefulReconnects: false,
      textFrames: true,
      authorize: () => Promise.resolve(undefined),
      createApplication: (connection, user: HubUser | undefined, request) =>
        new RawApplication(handler, connection, connection.connectionId, user, request),
    };
  }

  /** Starts the heartbeat (keep-alive, timeouts, reaping). Idempotent. */
  start(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => this.tick(Date.now()), this.tickMs);
    // Never keep a process (or a test runner) alive just for the heartbeat.
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  private tick(now: number): void {
    this.services.manager.scan(now);
    for (const connection of this.live) {
      if (connection.closed) this.live.delete(connection);
      else connection.tick(now);
    }
  }

  /** Stops the heartbeat and disposes every connection. */
  stop(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.services.manager.disposeAll();
    this.live.clear();
  }

  private match(url: URL): { endpoint: Endpoint; negotiate: boolean } | undefined {
    const path = normalizePath(url.pathname);
    const direct = this.endpoints.get(path);
    if (direct !== undefined) return { endpoint: direct, negotiate: false };
    if (path.endsWith('/negotiate')) {
      const endpoint = this.endpoints.get(path.slice(0, -'/negotiate'.length) || '/');
      if (endpoint !== undefined) return { endpoint, negotiate: true };
    }
    return undefined;
  }

  /** Answers an HTTP request, or `undefined` when no hub, connection handler or route serves its path. */
  async handle(request: Request): Promise<Response | undefined> {
    const url = new URL(request.url);
    if (this.cors && request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          ...corsHeaders(request),
          'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': request.headers.get('access-control-request-headers') ?? '*',
          'Access-Control-Max-Age': '600',
        },
      });
    }
    const context: RouteContext = { url, server: this };
    const core = () => this.dispatch(request, url, context);
    const chain = this.middleware.reduceRight<() => Promise<Response | undefined>>(
      (next, middleware) => () => middleware(request, next, context),
      core,
    );
    const response = await chain();
    if (response === undefined || !this.cors || !request.headers.has('origin')) return response;
    for (const [name, value] of Object.entries(corsHeaders(request))) response.headers.set(name, value);
    return response;
  }

  private async dispatch(request: Request, url: URL, context: RouteContext): Promise<Response | undefined> {
    const found = this.match(url);
    if (found !== undefined) {
      return found.negotiate
        ? handleNegotiate(this.services, found.endpoint, request, url)
        : handleConnection(this.services, found.endpoint, request, url);
    }
    const path = url.pathname.toLowerCase();
    for (const route of this.routes) {
      if (route.method !== undefined && route.method.toUpperCase() !== request.method) continue;
      const pattern = route.path.toLowerCase();
      const hit = pattern.endsWith('/*')
        ? path === pattern.slice(0, -2) || path.startsWith(pattern.slice(0, -1))
        : path === pattern;
      if (hit) return route.handler(request, context);
    }
    return undefined;
  }

  /** Decides a WebSocket upgrade, or `undefined` when nothing is served on its path. */
  async upgrade(request: Request): Promise<WebSocketDecision | undefined> {
    const url = new URL(request.url);
    const found = this.match(url);
    if (found === undefined || found.negotiate) return undefined;
    return handleWebSocket(this.services, found.endpoint, request, url);
  }

  // ---- MockHub -------------------------------------------------------------------------------------------

  hub(path: string): HubContext {
    const runtime = this.runtimes.get(normalizePath(path));
    if (runtime === undefined)
      throw new MockServerError(`No hub on '${path}'. Hubs: ${[...this.runtimes.keys()].join(', ')}.`);
    const controls = this.controls;
    return {
      clients: runtime.clients,
      groups: runtime.groups,
      get connections() {
        return [...controls.live.values()]
          .filter((c) => c.runtime === runtime)
          .map((c) => controls.handle(c));
      },
    };
  }

  get connections(): readonly ConnectionHandle[] {
    return [...this.controls.live.values()].map((c) => this.controls.handle(c));
  }

  connection(connectionId: string): ConnectionHandle | undefined {
    const live = this.controls.live.get(connectionId);
    return live === undefined ? undefined : this.controls.handle(live);
  }

  get log(): readonly LogEntry[] {
    return this.controls.log;
  }

  clearLog(): void {
    this.controls.clearLog();
  }

  get errors() {
    return this.controls.errors;
  }

  get faults(): Faults {
    return this.controls;
  }

  waitFor<T>(condition: Condition<T>, options: { readonly timeoutMs?: number } = {}): Promise<T> {
    return this.controls.waitFor(condition, options.timeoutMs);
  }

  waitForConnection(
    filter: { readonly hub?: string; readonly transport?: TransportName; readonly userId?: string } = {},
    options: { readonly timeoutMs?: number } = {},
  ): Promise<ConnectionHandle> {
    const hub = filter.hub === undefined ? undefined : normalizePath(filter.hub);
    const ok = (c: ConnectionHandle) =>
      (hub === undefined || c.hub === hub) &&
      (filter.transport === undefined || c.transport === filter.transport) &&
      (filter.userId === undefined || c.user?.id === filter.userId);
    const existing = this.connections.find((c) => ok(c) && c.connected);
    if (existing !== undefined) return Promise.resolve(existing);
    return this.controls.waitFor(
      (event) => event.kind === 'connected' && ok(event.connection) && event.connection,
      options.timeoutMs,
      `a connection matching ${JSON.stringify(filter)}`,
    );
  }

  waitForDisconnect(
    connectionId: string,
    options: { readonly timeoutMs?: number } = {},
  ): Promise<Error | undefined> {
    if (!this.controls.live.has(connectionId)) return Promise.resolve(undefined);
    return this.controls
      .waitFor(
        (event) =>
          event.kind === 'disconnected' &&
          event.connection.connectionId === connectionId && { error: event.error },
        options.timeoutMs,
        `connection ${connectionId} to disconnect`,
      )
      .then(({ error }) => error);
  }

  waitForMessage(filter: MessageFilter, options: { readonly timeoutMs?: number } = {}): Promise<LogEntry> {
    const logged = this.controls.log.find((entry) => matches(entry, filter));
    if (logged !== undefined) return Promise.resolve(logged);
    return this.controls.waitFor(
      (event) => event.kind === 'message' && matches(event.entry, filter) && event.entry,
      options.timeoutMs,
      `a message matching ${JSON.stringify(filter)}`,
    );
  }

  dropAll(): void {
    for (const connection of [...this.controls.live.values()]) connection.drop();
    for (const connection of [...this.services.manager.connections.values()]) connection.drop();
  }

  closeAll(options: { readonly error?: string; readonly allowReconnect?: boolean } = {}): void {
    for (const connection of [...this.controls.live.values()]) {
      connection.closeWithMessage(options.error, options.allowReconnect ?? false);
    }
  }

  issueToken(user: string, expiresInSeconds = 3600, claims: JwtPayload = {}): Promise<string> {
    return this.auth.issue(user, expiresInSeconds, claims);
  }
}
