import { Subscription } from 'rxjs';
import { ConnectionClosedError } from '../errors.js';
import { systemClock, type Clock } from '../common/clock.js';
import { createHubConnection, type HubConnection } from '../client/hub-connection.js';
import type { HubConnectionOptions } from '../client/options.js';
import { initialState, type ConnectionState } from '../client/state.js';
import type { ClientMethod, ClientResult, MethodArgs, UntypedHub } from '../client/typed.js';
import { once, toStore, type Store } from './store.js';

/** Options of {@link createHub}: the connection's, and how long it outlives its last consumer. */
export interface SharedHubOptions extends HubConnectionOptions {
  /**
   * How long the connection stays open after the last consumer released it (default 2000 ms; `Infinity`: until
   * `connection.stop()`). A consumer that comes back within it keeps the same connection. Timed on `clock`.
   */
  readonly graceMs?: number;
}

/**
 * A hub connection shared by every part of an app that uses it, started and stopped by reference counting:
 * created on first use, started by the first {@link SharedHub.retain}, stopped `graceMs` after the last release.
 * Creating one does nothing, so it can live at module scope and be imported during server rendering. Create it
 * with {@link createHub}; the React, Vue and Angular bindings take it as their first argument.
 *
 * A hub whose start failed, or whose reconnect policy gave up, is started again by the next `retain()`.
 */
export class SharedHub<Server extends object = UntypedHub, Client extends object = UntypedHub> {
  /**
   * The connection state as a {@link Store}: subscribing to it retains the hub (a component showing the state is
   * a consumer); on the server it is `disconnected`.
   */
  readonly state: Store<ConnectionState>;

  readonly #options: SharedHubOptions;
  readonly #clock: Clock;
  readonly #graceMs: number;
  #connection: HubConnection<Server, Client> | undefined;
  #refs = 0;
  #grace: unknown;
  #starting: Promise<void> | undefined;
  #ready: Promise<HubConnection<Server, Client>> | undefined;
  /** The last `ready()` that failed, returned again until a consumer retains the hub or `retry()`. */
  #failed: Promise<HubConnection<Server, Client>> | undefined;

  /** @internal Use {@link createHub}. */
  constructor(options: SharedHubOptions) {
    const graceMs = options.graceMs ?? 2000;
    if (!(graceMs >= 0)) throw new RangeError('`graceMs` must be a number ≥ 0 (or Infinity).');
    this.#options = options;
    this.#graceMs = graceMs;
    this.#clock = options.clock ?? systemClock;
    this.state = toStore<ConnectionState>(
      // The connection is created on first subscribe, not now.
      { subscribe: (observer) => this.connection.state$.subscribe(observer) },
      { initial: initialState, current: () => this.connection.state, retain: () => this.retain() },
    );
  }

  /** The connection, created on first use (not started): for `invoke`, `stream`, `send`, `on`, `handle`. */
  get connection(): HubConnection<Server, Client> {
    return (this.#connection ??= createHubConnection<Server, Client>(this.#options));
  }

  /** How many consumers hold the hub now. */
  get consumers(): number {
    return this.#refs;
  }

  /**
   * Declares a consumer: starts the connection unless it is connecting or connected (a first start, a start that
   * failed, a connection whose reconnect policy gave up, or one stopped by hand) and cancels a pending grace
   * stop. First starts are retried per the `reconnect` policy. Returns the release function (idempotent).
   *
   * @example
   * ```ts
   * const release = chat.retain();
   * // ... chat.connection.invoke(...)
   * release(); // stops graceMs later unless someone retains it again
   * ```
   */
  retain(): () => void {
    this.#failed = undefined;
    return this.#acquire();
  }

  /**
   * Resolves with the connection once connected, starting it if needed (the hub is retained until then). Rejects
   * with why it could not connect: the start's error, or the last error when the reconnect policy gave up. While
   * waiting, every call returns the same Promise (what React's `use` needs); after a failure, the same rejected
   * Promise, until a consumer retains the hub or `retry()` is called (so that rendering again does not reconnect
   * in a loop).
   *
   * @example
   * ```ts
   * const connection = await chat.ready();
   * ```
   */
  ready(): Promise<HubConnection<Server, Client>> {
    const connection = this.connection;
    const { status } = connection.state;
    if (status === 'connected') return Promise.resolve(connection);
    if (this.#failed !== undefined && status === 'disconnected') return this.#failed;
    if (this.#ready !== undefined) return this.#ready;
    const ready = this.#whenConnected(connection).finally(() => (this.#ready = undefined));
    this.#ready = ready;
    ready.catch(() => {
      if (connection.state.status === 'disconnected') this.#failed = ready;
    });
    return ready;
  }

  /**
   * Forgets a failed `ready()` and tries again: what an error boundary's reset calls before rendering a
   * component that suspends on the hub.
   *
   * @example
   * ```tsx
   * <ErrorBoundary onReset={() => void chat.retry()} fallbackRender={...}>
   * ```
   */
  retry(): Promise<HubConnection<Server, Client>> {
    this.#failed = undefined;
    return this.ready();
  }

  /**
   * Runs `handler` for each call of a server-to-client method, retaining the hub until the returned function is
   * called.
   *
   * @example
   * ```ts
   * const stop = chat.listen('Message', (user, text) => append(user, text));
   * ```
   */
  listen<K extends ClientMethod<Client>>(
    target: K,
    handler: (...args: MethodArgs<Client, K>) => void,
  ): () => void {
    const release = this.retain();
    const subscription = this.connection.on(target).subscribe((args) => handler(...args));
    return once(() => {
      subscription.unsubscribe();
      release();
    });
  }

  /**
   * Answers client results for `target` with `handler` (see `HubConnection.handle`), retaining the hub until the
   * returned function is called.
   *
   * @example
   * ```ts
   * const stop = chat.answer('Confirm', (question) => window.confirm(question));
   * ```
   */
  answer<K extends ClientMethod<Client>>(
    target: K,
    handler: (...args: MethodArgs<Client, K>) => ClientResult<Client, K>,
  ): () => void {
    const release = this.retain();
    let subscription: Subscription;
    try {
      subscription = this.connection.handle(target, handler);
    } catch (error) {
      release();
      throw error;
    }
    return once(() => {
      subscription.unsubscribe();
      release();
    });
  }

  #acquire(): () => void {
    this.#refs++;
    if (this.#grace !== undefined) {
      this.#clock.clearTimeout(this.#grace);
      this.#grace = undefined;
    }
    this.#ensureStarted();
    return once(() => this.#release());
  }

  #ensureStarted(): void {
    if (this.#starting !== undefined) return;
    const connection = this.connection;
    const { status } = connection.state;
    if (status !== 'disconnected' && status !== 'disconnecting') return;
    const starting = connection.start({ retry: true });
    this.#starting = starting;
    // A failed start is in `state.lastError` (and rejects `ready()`); the next retain() starts again.
    const settle = () => {
      if (this.#starting === starting) this.#starting = undefined;
    };
    starting.then(settle, settle);
  }

  #release(): void {
    if (--this.#refs > 0 || this.#graceMs === Infinity) return;
    this.#grace = this.#clock.setTimeout(() => {
      this.#grace = undefined;
      if (this.#refs === 0) void this.#connection?.stop();
    }, this.#graceMs);
  }

  #whenConnected(connection: HubConnection<Server, Client>): Promise<HubConnection<Server, Client>> {
    return new Promise((resolve, reject) => {
      const release = this.#acquire();
      // Closed before the state's first (synchronous) emission returns, the subscription added to it ends at once.
      const subscription = new Subscription();
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        subscription.unsubscribe();
        release();
        done();
      };
      // A first start reports its own failure; a later give-up shows as `disconnected` with no start under way.
      this.#starting?.catch((error: Error) => settle(() => reject(error)));
      subscription.add(
        connection.state$.subscribe((state) => {
          if (state.status === 'connected') settle(() => resolve(connection));
          else if (state.status === 'disconnected' && this.#starting === undefined) {
            settle(() =>
              reject(
                state.lastError ??
                  new ConnectionClosedError('The connection was stopped before it connected.'),
              ),
            );
          }
        }),
      );
    });
  }
}

/**
 * Creates a {@link SharedHub}: a lazy, reference-counted connection for UI code. Takes the options of
 * `createHubConnection` plus `graceMs`. Nothing is created or opened until a consumer uses it.
 *
 * @example
 * ```ts
 * // chat-hub.ts, imported by any component (and safely by server rendering)
 * export const chat = createHub<ChatServer, ChatClient>({ url: '/hubs/chat', graceMs: 2000 });
 *
 * const release = chat.retain(); // connects
 * chat.connection.on('Message').subscribe(console.log);
 * release(); // disconnects 2 s later unless retained again
 * ```
 */
export function createHub<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  options: SharedHubOptions,
): SharedHub<Server, Client> {
  return new SharedHub<Server, Client>(options);
}
