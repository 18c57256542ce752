/** A promise with its settle functions. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A deferred whose rejection is never reported as unhandled (nobody may be waiting on it). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const resolved = Promise.resolve();

/**
 * Runs `task` in a microtask, as `queueMicrotask` would, for hot paths: Node's `queueMicrotask` creates an
 * AsyncResource and a bound function per call, and a browser's goes through its bindings, while a resolved
 * promise's reaction is V8's own. `task` must not throw (that would be an unhandled rejection).
 */
export function microtask(task: () => void): void {
  void resolved.then(task);
}
