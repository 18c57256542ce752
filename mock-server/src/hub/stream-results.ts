/** Minimal Observable shape: anything with `subscribe` (RxJS, zen-observable, ...). No dependency on RxJS. */
export interface ObservableLike {
  subscribe(observer: {
    next: (value: unknown) => void;
    error: (error: unknown) => void;
    complete: () => void;
  }): { unsubscribe(): void } | (() => void);
}

export function isObservable(value: unknown): value is ObservableLike {
  return (
    typeof value === 'object' && value !== null && typeof (value as ObservableLike).subscribe === 'function'
  );
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

export function isStreamable(value: unknown): value is AsyncIterable<unknown> | ObservableLike {
  return isAsyncIterable(value) || isObservable(value);
}

export interface StreamSink {
  item(value: unknown): void;
  complete(): void;
  error(error: unknown): void;
}

/**
 * Forwards a method's stream to `sink` until it ends or `signal` aborts (CancelInvocation, connection closed).
 * After an abort nothing more reaches the sink; the source is told to stop (`return()` / `unsubscribe()`).
 */
export function pumpStream(
  source: AsyncIterable<unknown> | ObservableLike,
  sink: StreamSink,
  signal: AbortSignal,
): void {
  if (isObservable(source) && !isAsyncIterable(source)) {
    let done = false;
    const subscription = source.subscribe({
      next: (value) => {
        if (!done && !signal.aborted) sink.item(value);
      },
      error: (error) => {
        if (done || signal.aborted) return;
        done = true;
        sink.error(error);
      },
      complete: () => {
        if (done || signal.aborted) return;
        done = true;
        sink.complete();
      },
    });
    const unsubscribe = () =>
      typeof subscription === 'function' ? subscription() : subscription.unsubscribe();
    if (done) return;
    if (signal.aborted) unsubscribe();
    else signal.addEventListener('abort', unsubscribe, { once: true });
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  const stop = () => {
    // An async generator suspended at an `await` runs `return` only once it reaches its next `yield`.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  signal.addEventListener('abort', stop, { once: true });
  const step = (): void => {
    iterator.next().then(
      (result) => {
        if (signal.aborted) return;
        if (result.done === true) {
          signal.removeEventListener('abort', stop);
          sink.complete();
          return;
        }
        sink.item(result.value);
        step();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stop);
        if (!signal.aborted) sink.error(error);
      },
    );
  };
  step();
}
