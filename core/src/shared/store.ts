import type { Subscribable, Unsubscribable } from 'rxjs';

/**
 * A value that can be read synchronously and watched: the shape React's `useSyncExternalStore` takes, and what
 * the Vue and Angular bindings adapt (a `shallowRef`, a `signal`). Methods are bound: pass them around as they are.
 *
 * - `subscribe(listener)` starts watching (for a hub's stores: makes the component a consumer of the hub) and
 *   returns the function that stops;
 * - `getSnapshot()` is the current value: the same object until something changed;
 * - `getServerSnapshot()` is what a server render shows: never connected, nothing running.
 */
export interface Store<T> {
  readonly subscribe: (listener: () => void) => () => void;
  readonly getSnapshot: () => T;
  readonly getServerSnapshot: () => T;
}

/** Options of {@link toStore}. */
export interface ToStoreOptions<T> {
  /** The snapshot before the source's first value, and on the server. */
  readonly initial: T;
  /** Reads the current value while nothing subscribes (e.g. `() => connection.state`); default `initial`. */
  readonly current?: () => T;
  /**
   * Called for each listener that comes (e.g. `() => hub.retain()`: each is a consumer); what it returns is called
   * when that listener leaves.
   */
  readonly retain?: () => () => void;
}

/**
 * A {@link Store} over an Observable (or any `Subscribable`): one subscription to `source` while the store has
 * listeners, the latest value as the snapshot, listeners told on every change (by `Object.is`). If `source` errors,
 * `getSnapshot()` throws that error (in React, to the nearest error boundary) until the store is subscribed again.
 *
 * @example
 * ```ts
 * const state = toStore(connection.state$, { initial: connection.state, current: () => connection.state });
 * const unsubscribe = state.subscribe(() => render(state.getSnapshot().status));
 * ```
 */
export function toStore<T>(source: Subscribable<T>, options: ToStoreOptions<T>): Store<T> {
  const listeners = new Set<() => void>();
  let subscription: Unsubscribable | undefined;
  let value = options.initial;
  let failure: { readonly error: unknown } | undefined;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const start = () => {
    subscription = source.subscribe({
      next(next) {
        if (Object.is(next, value)) return;
        value = next;
        notify();
      },
      error(error: unknown) {
        failure = { error };
        notify();
      },
    });
  };
  const stop = () => {
    subscription?.unsubscribe();
    subscription = undefined;
    failure = undefined;
  };

  return {
    subscribe(listener) {
      // A wrapper per call: the same function subscribed twice is two listeners, removed one at a time.
      const entry = () => listener();
      listeners.add(entry);
      // Read before retaining: a change the retain causes (a connection starting) is told to the listener.
      if (listeners.size === 1) value = options.current?.() ?? options.initial;
      const release = options.retain?.();
      if (listeners.size === 1) start();
      return once(() => {
        listeners.delete(entry);
        if (listeners.size === 0) stop();
        release?.();
      });
    },
    getSnapshot() {
      if (failure !== undefined) throw failure.error;
      if (subscription !== undefined) return value;
      return options.current?.() ?? options.initial;
    },
    getServerSnapshot: () => options.initial,
  };
}

/** Calls `fn` once, however often the returned function is called. */
export function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
