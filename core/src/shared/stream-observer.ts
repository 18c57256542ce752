import type { Subscription } from 'rxjs';
import { ConnectionClosedError } from '../errors.js';
import type { ConnectionState } from '../client/state.js';
import type { MethodArgs, StreamingMethod, StreamItem, UntypedHub } from '../client/typed.js';
import { equalArgs } from './equal.js';
import type { SharedHub } from './hub.js';
import { Listeners } from './listeners.js';
import type { Store } from './store.js';

/** `idle`: not enabled; `streaming`: running, or waiting for the connection; `complete`; `error`. */
export type StreamStatus = 'idle' | 'streaming' | 'complete' | 'error';

/** What a {@link HubStreamObserver} shows. */
export interface StreamSnapshot<T> {
  /** The items received, oldest first; at most `keep` (the newest). */
  readonly items: readonly T[];
  /** The last item received (also when `keep` is 0). */
  readonly latest: T | undefined;
  /** Why the stream failed (`status: 'error'`), else `null`. */
  readonly error: Error | null;
  readonly status: StreamStatus;
}

/** Which stream a {@link HubStreamObserver} runs. */
export interface StreamObserverOptions<Server extends object, K extends StreamingMethod<Server>> {
  readonly target: K;
  readonly args: MethodArgs<Server, K>;
  /** Run the stream (default `true`); `false` cancels it and shows `idle`. */
  readonly enabled?: boolean;
  /** Keep at most this many items, dropping the oldest (default: all). */
  readonly keep?: number;
}

function checked<T extends { readonly keep?: number }>(options: T): T {
  const { keep } = options;
  if (keep !== undefined && !(keep >= 0 && (Number.isInteger(keep) || keep === Infinity))) {
    throw new RangeError(`\`keep\` must be a whole number ≥ 0 or Infinity, not ${keep}.`);
  }
  return options;
}

const IDLE: StreamSnapshot<never> = Object.freeze({
  items: Object.freeze([]),
  latest: undefined,
  error: null,
  status: 'idle',
});

/**
 * A server-to-client stream as a {@link Store} of `{ items, latest, error, status }`, for UI bindings. While it has
 * listeners it retains the hub and runs the stream once connected; it cancels the stream (CancelInvocation) when
 * the last listener leaves, when disabled, or when the target or arguments change by value (then starts the new
 * one); a stream cut by a lost connection is called again once reconnected (its old items stay until the new
 * stream's first item). Leaving and coming back within the same tick (React's StrictMode) changes nothing.
 *
 * @example
 * ```ts
 * const ticks = new HubStreamObserver(hub, { target: 'Counter', args: [10, 100], keep: 5 });
 * const unsubscribe = ticks.subscribe(() => render(ticks.getSnapshot().items));
 * ticks.setOptions({ target: 'Counter', args: [20, 100] }); // cancels, starts Counter(20, 100)
 * unsubscribe(); // cancels
 * ```
 */
export class HubStreamObserver<
  Server extends object = UntypedHub,
  K extends StreamingMethod<Server> = StreamingMethod<Server>,
> implements Store<StreamSnapshot<StreamItem<Server, K>>> {
  /** The hub it runs on. */
  readonly hub: SharedHub<Server, object>;
  #options: StreamObserverOptions<Server, K>;
  readonly #listeners: Listeners;

  /** The running call, and its token (callbacks of a replaced call are ignored). */
  #call: { readonly subscription: Subscription | undefined } | undefined;
  /** A stream is wanted and not running: it starts once connected (and active). */
  #pending: boolean;
  /** Why the last call was cut by the connection (it restarts on reconnect). */
  #lost: Error | undefined;
  #connected = false;
  #stateSubscription: Subscription | undefined;
  #release: (() => void) | undefined;

  #items: StreamItem<Server, K>[] = [];
  /** `#items` was handed out in a snapshot: copy before changing it. */
  #shared = false;
  /** The items are the previous call's, replaced by the next call's first item. */
  #stale = false;
  #latest: StreamItem<Server, K> | undefined;
  #error: Error | null = null;
  #status: StreamStatus;
  #snapshot: StreamSnapshot<StreamItem<Server, K>> | undefined;

  constructor(hub: SharedHub<Server, object>, options: StreamObserverOptions<Server, K>) {
    this.hub = hub;
    this.#options = checked(options);
    this.#pending = options.enabled !== false;
    this.#status = this.#pending ? 'streaming' : 'idle';
    this.#listeners = new Listeners(
      () => this.#activate(),
      () => this.#deactivate(),
    );
  }

  readonly subscribe = (listener: () => void): (() => void) => this.#listeners.add(listener);

  readonly getSnapshot = (): StreamSnapshot<StreamItem<Server, K>> => {
    if (this.#snapshot === undefined) {
      this.#shared = true;
      this.#snapshot = {
        items: this.#items,
        latest: this.#latest,
        error: this.#error,
        status: this.#status,
      };
    }
    return this.#snapshot;
  };

  readonly getServerSnapshot = (): StreamSnapshot<StreamItem<Server, K>> => IDLE;

  /** Changes the stream: restarts it if `target` or `args` changed by value, or `enabled` changed. */
  setOptions(options: StreamObserverOptions<Server, K>): void {
    const previous = this.#options;
    this.#options = checked(options);
    const enabled = options.enabled !== false;
    const changed = previous.target !== options.target || !equalArgs(previous.args, options.args);
    if (changed || enabled !== (previous.enabled !== false)) {
      this.#reset(enabled, changed || enabled);
    } else if (options.keep !== previous.keep && this.#trim()) {
      this.#changed();
    }
  }

  /** Cancels the stream if running and starts it again (e.g. after an error). */
  restart(): void {
    this.#reset(this.#options.enabled !== false, true);
  }

  #reset(enabled: boolean, clear: boolean): void {
    this.#cancel();
    this.#pending = enabled;
    this.#lost = undefined;
    this.#stale = false;
    this.#error = null;
    this.#status = enabled ? 'streaming' : 'idle';
    if (clear) {
      this.#items = [];
      this.#shared = false;
      this.#latest = undefined;
    }
    this.#changed();
    this.#startIfReady();
  }

  #activate(): void {
    this.#release = this.hub.retain();
    this.#stateSubscription = this.hub.connection.state$.subscribe((state) => this.#onState(state));
  }

  #deactivate(): void {
    // Cut by leaving: it runs again when a listener comes back.
    if (this.#call !== undefined) {
      this.#cancel();
      this.#pending = true;
      this.#stale = true;
    }
    this.#stateSubscription?.unsubscribe();
    this.#stateSubscription = undefined;
    this.#connected = false;
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  #onState(state: ConnectionState): void {
    this.#connected = state.status === 'connected';
    if (this.#connected) this.#startIfReady();
    else if (state.status === 'disconnected' && this.#lost !== undefined && this.#status === 'streaming') {
      // Closed for good (stopped, or the reconnect policy gave up): an error until a new connection restarts it.
      this.#status = 'error';
      this.#error = this.#lost;
      this.#changed();
    }
  }

  #startIfReady(): void {
    if (!this.#pending || !this.#connected || this.#call !== undefined || !this.#listeners.active) return;
    this.#pending = false;
    this.#lost = undefined;
    if (this.#status !== 'streaming' || this.#error !== null) {
      this.#status = 'streaming';
      this.#error = null;
      this.#changed();
    }
    const { target, args } = this.#options;
    const call: { subscription: Subscription | undefined } = { subscription: undefined };
    this.#call = call;
    const subscription = this.hub.connection.stream(target, ...args).subscribe({
      next: (item) => {
        if (this.#call === call) this.#push(item);
      },
      error: (error: unknown) => {
        if (this.#call === call) this.#failed(error as Error);
      },
      complete: () => {
        if (this.#call !== call) return;
        this.#call = undefined;
        if (this.#stale) this.#clearItems();
        this.#status = 'complete';
        this.#changed();
      },
    });
    if (this.#call === call) call.subscription = subscription;
  }

  #push(item: StreamItem<Server, K>): void {
    if (this.#stale) this.#clearItems();
    if (this.#shared) {
      this.#items = this.#items.slice();
      this.#shared = false;
    }
    this.#items.push(item);
    this.#trim();
    this.#latest = item;
    this.#changed();
  }

  #failed(error: Error): void {
    this.#call = undefined;
    if (error instanceof ConnectionClosedError && this.#options.enabled !== false) {
      // Lost with its connection: called again once reconnected; meanwhile the old items stay.
      this.#pending = true;
      this.#stale = true;
      this.#lost = error;
      if (this.hub.connection.state.status === 'disconnected') {
        this.#status = 'error';
        this.#error = error;
        this.#changed();
      }
      return;
    }
    if (this.#stale) this.#clearItems();
    this.#status = 'error';
    this.#error = error;
    this.#changed();
  }

  #cancel(): void {
    const call = this.#call;
    this.#call = undefined;
    call?.subscription?.unsubscribe();
  }

  #clearItems(): void {
    this.#stale = false;
    this.#items = [];
    this.#shared = false;
  }

  /** Drops the oldest items beyond `keep`; whether any were dropped. */
  #trim(): boolean {
    const keep = this.#options.keep ?? Infinity;
    const over = this.#items.length - Math.max(0, keep);
    if (over <= 0) return false;
    if (this.#shared) {
      this.#items = this.#items.slice(over);
      this.#shared = false;
    } else {
      this.#items.splice(0, over);
    }
    return true;
  }

  #changed(): void {
    this.#snapshot = undefined;
    this.#listeners.notify();
  }
}
