// Shared by the client fault suites: mock servers and hubrx connections closed after each test, a recorder of
// `state$`, and counting wrappers (clock, WebSocket, EventSource, fetch, uploads) to prove `stop()` leaves nothing.
import { EventSource } from 'eventsource';
import { Observable } from 'rxjs';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import {
  createHubConnection,
  exponentialBackoff,
  type Clock,
  type ConnectionState,
  type HubConnection,
  type HubConnectionOptions,
  type UntypedHub,
} from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import {
  createMockHubServer,
  defineHub,
  type HubDefinition,
  type Middleware,
  type MockHubServer,
  type MockHubServerOptions,
} from '@hubrx/mock-server';

const cleanups: (() => unknown)[] = [];

/** 'error' events a `ws` socket emitted with no listener: in an application, each is an uncaught exception. */
const unheardErrors: Error[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // A cleanup failing must not hide the test's own outcome.
    }
  }
  const unheard = unheardErrors.splice(0);
  if (unheard.length > 0) {
    throw new Error(
      `A WebSocket emitted 'error' with no listener (an uncaught exception that ends a Node process): ${unheard
        .map((error) => `${error.message}\n${error.stack ?? ''}`)
        .join('\n')}`,
    );
  }
});

/**
 * The `ws` WebSocket, except that an 'error' event nobody listens to is recorded (and fails the test in
 * `afterEach`) rather than thrown as an uncaught exception that would take the test runner down with it.
 */
export class GuardedWebSocket extends WebSocket {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) {
      unheardErrors.push(args[0] instanceof Error ? args[0] : new Error(String(args[0])));
      return false;
    }
    return super.emit(event, ...args);
  }
}

/** Takes the unheard WebSocket errors recorded so far (for a test that checks them itself). */
export function takeUnheardErrors(): Error[] {
  return unheardErrors.splice(0);
}

/** Runs `cleanup` after the current test (last registered, first run). */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** A mock server on a free port, closed after the test. */
export async function startServer(options: MockHubServerOptions): Promise<MockHubServer> {
  const server = await createMockHubServer(options);
  onCleanup(() => server.close());
  return server;
}

/** Reconnects fast: at once, then 20, 40, 80, 100, 100... ms (no jitter), never giving up. */
/**
 * A hub with no methods whose negotiate redirects to `/testhub` on the same origin, handing over `token()` as the
 * redirect's access token.
 */
export function redirectingHub(token: () => string): HubDefinition {
  return defineHub({
    methods: {},
    negotiate: (request) => ({ redirect: `${new URL(request.url).origin}/testhub`, accessToken: token() }),
  });
}

export const fastRetry = () => exponentialBackoff({ initialMs: 20, maxMs: 100, jitter: 'none' });

/** Options for `client()`: the URL comes separately. */
export type ClientOptions = Omit<HubConnectionOptions, 'url'>;

/**
 * A hubrx connection for Node (the `ws` WebSocket, `eventsource@4`), reconnecting fast, stopped after the test.
 */
export function client<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  url: string,
  options: ClientOptions = {},
): HubConnection<Server, Client> {
  const connection = createHubConnection<Server, Client>({
    url,
    WebSocket: nodeWebSocket(GuardedWebSocket),
    EventSource,
    reconnect: fastRetry(),
    ...options,
  });
  onCleanup(() => connection.stop());
  return connection;
}

/** Every state a connection goes through, from the one it is in when recording starts. */
export interface StateRecorder {
  readonly states: ConnectionState[];
  /**
   * The first state at index `from` or later (default: from the next state on) that satisfies `predicate`; rejects
   * after `timeoutMs` with the states seen, for a readable failure.
   */
  next(
    predicate: (state: ConnectionState) => boolean,
    options?: { readonly from?: number; readonly timeoutMs?: number },
  ): Promise<ConnectionState>;
  /** The statuses seen, in order, for assertions on transitions. */
  statuses(from?: number): string[];
}

export function recordStates(connection: HubConnection<object, object>): StateRecorder {
  const states: ConnectionState[] = [];
  const waiters = new Set<{
    from: number;
    test: (s: ConnectionState) => boolean;
    done: (s: ConnectionState) => void;
  }>();
  const subscription = connection.state$.subscribe((state) => {
    states.push(state);
    for (const waiter of [...waiters]) {
      if (states.length - 1 >= waiter.from && waiter.test(state)) {
        waiters.delete(waiter);
        waiter.done(state);
      }
    }
  });
  onCleanup(() => subscription.unsubscribe());
  const describe = () =>
    (states.length > 30 ? ['…', ...states.slice(-30)] : states)
      .map((s) =>
        typeof s === 'string'
          ? s
          : `${s.status}(${s.attempt}${s.lastError ? `, ${s.lastError.name}: ${s.lastError.message}` : ''})`,
      )
      .join(' → ');
  return {
    states,
    statuses: (from = 0) => states.slice(from).map((s) => s.status),
    next(predicate, { from = states.length, timeoutMs = 5000 } = {}) {
      const seen = states.slice(from).find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No matching state within ${timeoutMs} ms; states: ${describe()}`));
        }, timeoutMs);
        const waiter = {
          from,
          test: predicate,
          done: (state: ConnectionState) => {
            clearTimeout(timer);
            resolve(state);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}

export const status =
  (wanted: ConnectionState['status']) =>
  (state: ConnectionState): boolean =>
    state.status === wanted;

/** A promise with its resolver, for events a test waits for. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves when `count` values were collected by `push`. */
export function collector<T>(count: number): { items: T[]; push: (item: T) => void; full: Promise<void> } {
  const items: T[] = [];
  const done = signal();
  return {
    items,
    full: done.promise,
    push(item) {
      items.push(item);
      if (items.length === count) done.resolve();
    },
  };
}

/** One macrotask: lets sockets and timers run between steps of a test. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---- counting wrappers -------------------------------------------------------------------------------------

/** The real clock, keeping every timer that is set and neither fired nor cleared. */
export function countingClock(): { clock: Clock; readonly pending: { ms: number; stack: string }[] } {
  const live = new Map<unknown, { ms: number; stack: string }>();
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout(callback, ms) {
      const handle = setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.set(handle, { ms, stack: new Error().stack ?? '' });
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
  return {
    clock,
    get pending() {
      return [...live.values()];
    },
  };
}

/** A `ws` WebSocket subclass that knows which of its sockets are not closed yet. */
export type GuardedWebSocketClass = new (
  address: string | URL,
  protocols?: string | string[],
  options?: WebSocket.ClientOptions,
) => GuardedWebSocket;

export function countingWebSocket(): {
  WebSocket: GuardedWebSocketClass;
  readonly open: Set<WebSocket>;
  created: () => number;
} {
  const open = new Set<WebSocket>();
  let created = 0;
  class CountingWebSocket extends GuardedWebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(address, protocols, options);
      created++;
      open.add(this);
      this.once('close', () => open.delete(this));
    }
  }
  return { WebSocket: CountingWebSocket, open, created: () => created };
}

/** An `eventsource@4` subclass that keeps every source it creates. */
export function countingEventSource(): { EventSource: typeof EventSource; readonly sources: EventSource[] } {
  const sources: EventSource[] = [];
  class CountingEventSource extends EventSource {
    constructor(...args: ConstructorParameters<typeof EventSource>) {
      super(...args);
      sources.push(this);
    }
  }
  return { EventSource: CountingEventSource, sources };
}

/** `fetch` that counts requests whose response has not arrived (nor failed) yet, and logs every answer. */
export function countingFetch(inner: typeof fetch = fetch): {
  fetch: typeof fetch;
  readonly inFlight: number;
  readonly log: { method: string; url: string; status: number | 'error' }[];
} {
  let inFlight = 0;
  const log: { method: string; url: string; status: number | 'error' }[] = [];
  const counting: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = input instanceof Request ? input.url : String(input);
    inFlight++;
    try {
      const response = await inner(input, init);
      log.push({ method, url, status: response.status });
      return response;
    } catch (error) {
      log.push({ method, url, status: 'error' });
      throw error;
    } finally {
      inFlight--;
    }
  };
  return {
    fetch: counting,
    get inFlight() {
      return inFlight;
    },
    log,
  };
}

/** An upload that never ends by itself, counting its live subscriptions. */
export function countingUpload<T>(): {
  source: Observable<T>;
  readonly active: number;
  readonly subscribed: Promise<void>;
} {
  let active = 0;
  const subscribed = signal();
  const source = new Observable<T>(() => {
    active++;
    subscribed.resolve();
    return () => active--;
  });
  return {
    source,
    get active() {
      return active;
    },
    subscribed: subscribed.promise,
  };
}

// ---- the server's view of HTTP requests ----------------------------------------------------------------------

/** One HTTP request as the mock server received it (WebSocket upgrades do not pass middleware). */
export interface ObservedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | null;
  /** Set once the server answered. */
  status: number | undefined;
}

/**
 * A middleware that records every HTTP request the server receives. `arrived(predicate)` resolves once such a
 * request reached the server; the server has then already decided its faults (401s are taken synchronously).
 */
export function requestObserver(): {
  readonly middleware: Middleware;
  readonly requests: ObservedRequest[];
  arrived(predicate: (request: ObservedRequest) => boolean, timeoutMs?: number): Promise<ObservedRequest>;
  answered(predicate: (request: ObservedRequest) => boolean, timeoutMs?: number): Promise<ObservedRequest>;
} {
  const requests: ObservedRequest[] = [];
  const waiters = new Set<{ test: (r: ObservedRequest) => boolean; done: (r: ObservedRequest) => void }>();
  const notify = (request: ObservedRequest) => {
    for (const waiter of [...waiters]) {
      if (waiter.test(request)) {
        waiters.delete(waiter);
        waiter.done(request);
      }
    }
  };
  const wait = (test: (r: ObservedRequest) => boolean, timeoutMs: number, what: string) => {
    const seen = requests.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<ObservedRequest>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const list = requests.map((r) => `${r.method} ${r.path} ${r.status ?? '…'}`).join(', ');
        reject(new Error(`No request ${what} within ${timeoutMs} ms; requests: ${list}`));
      }, timeoutMs);
      const waiter = {
        test,
        done: (request: ObservedRequest) => {
          clearTimeout(timer);
          resolve(request);
        },
      };
      waiters.add(waiter);
    });
  };
  const middleware: Middleware = async (request, next, { url }) => {
    const entry: ObservedRequest = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.get('authorization'),
      status: undefined,
    };
    requests.push(entry);
    notify(entry);
    const response = await next();
    entry.status = response?.status ?? 404;
    notify(entry);
    return response;
  };
  return {
    middleware,
    requests,
    arrived: (predicate, timeoutMs = 5000) => wait(predicate, timeoutMs, 'arriving'),
    answered: (predicate, timeoutMs = 5000) =>
      wait((r) => r.status !== undefined && predicate(r), timeoutMs, 'answered'),
  };
}
