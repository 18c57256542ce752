import type { InvokableMethod, MethodArgs, MethodResult, UntypedHub } from '../client/typed.js';
import type { SharedHub } from './hub.js';
import { Listeners } from './listeners.js';
import type { Store } from './store.js';

/** `idle`: not called (or reset); `pending`; `success`; `error`. */
export type InvokeStatus = 'idle' | 'pending' | 'success' | 'error';

/** What a {@link HubInvokeObserver} shows: the latest call's outcome. */
export interface InvokeSnapshot<T> {
  /** The latest successful result (kept while a new call is pending). */
  readonly data: T | undefined;
  /** Why the latest call failed, else `null`. */
  readonly error: Error | null;
  /** Whether the latest call is under way. */
  readonly pending: boolean;
  readonly status: InvokeStatus;
}

const IDLE: InvokeSnapshot<never> = Object.freeze({
  data: undefined,
  error: null,
  pending: false,
  status: 'idle',
});

/**
 * Calls of one server method as a {@link Store} of `{ data, error, pending, status }`, for UI bindings. While it
 * has listeners it retains the hub. `invoke(...args)` waits for the connection if it is being made, invokes, and
 * returns the result's Promise (a rejection not awaited is not reported as unhandled: it is in `error`); the
 * snapshot follows the latest call only. After `reset()`, or once no listener is left, earlier calls no longer
 * change what listeners see.
 *
 * @example
 * ```ts
 * const add = new HubInvokeObserver(hub, 'Add');
 * const unsubscribe = add.subscribe(() => render(add.getSnapshot()));
 * const sum = await add.invoke(1, 2); // snapshot: { data: 3, status: 'success', ... }
 * ```
 */
export class HubInvokeObserver<
  Server extends object = UntypedHub,
  K extends InvokableMethod<Server> = InvokableMethod<Server>,
> implements Store<InvokeSnapshot<MethodResult<Server, K>>> {
  /** The hub it runs on. */
  readonly hub: SharedHub<Server, object>;
  #target: K;
  readonly #listeners: Listeners;
  #release: (() => void) | undefined;
  /** The latest call: only its outcome shows. */
  #latest = 0;
  #snapshot: InvokeSnapshot<MethodResult<Server, K>> = IDLE;

  constructor(hub: SharedHub<Server, object>, target: K) {
    this.hub = hub;
    this.#target = target;
    this.#listeners = new Listeners(
      () => (this.#release = this.hub.retain()),
      () => {
        const release = this.#release;
        this.#release = undefined;
        release?.();
      },
    );
  }

  /** The method later calls invoke (calls under way keep theirs). */
  setTarget(target: K): void {
    this.#target = target;
  }

  readonly subscribe = (listener: () => void): (() => void) => this.#listeners.add(listener);

  readonly getSnapshot = (): InvokeSnapshot<MethodResult<Server, K>> => this.#snapshot;

  readonly getServerSnapshot = (): InvokeSnapshot<MethodResult<Server, K>> => IDLE;

  /**
   * Invokes the method once connected (see `SharedHub.ready`); resolves with its result, rejects with the
   * server's `HubError` or why the connection could not be made.
   */
  readonly invoke = (...args: MethodArgs<Server, K>): Promise<MethodResult<Server, K>> => {
    const id = ++this.#latest;
    const target = this.#target;
    this.#set({ data: this.#snapshot.data, error: null, pending: true, status: 'pending' });
    const result = this.hub.ready().then((connection) => connection.invoke(target, ...args));
    result.then(
      (data) => {
        if (id === this.#latest) this.#set({ data, error: null, pending: false, status: 'success' });
      },
      (error: unknown) => {
        if (id !== this.#latest) return;
        this.#set({ data: this.#snapshot.data, error: error as Error, pending: false, status: 'error' });
      },
    );
    return result;
  };

  /** Back to `idle`; calls under way no longer change the snapshot. */
  readonly reset = (): void => {
    this.#latest++;
    this.#set(IDLE);
  };

  #set(snapshot: InvokeSnapshot<MethodResult<Server, K>>): void {
    this.#snapshot = snapshot;
    this.#listeners.notify();
  }
}
