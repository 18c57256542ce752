import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';
import { PendingCall, type CallContext, type CallSink } from './call.js';

/** Options of one invocation or stream. */
export interface CallOptions {
  /**
   * Fail with a `TimeoutError` (and send CancelInvocation) unless the result, or for a stream the completion,
   * arrives within this time.
   */
  readonly timeoutMs?: number;
  /** Aborting sends CancelInvocation and fails the call with an `AbortError`. */
  readonly signal?: AbortSignal;
}

const NO_OPTIONS: CallOptions = {};

/** Each subscription runs the call once (one function for every call: no closure per call). */
function subscribeCall(this: Observable<unknown>, subscriber: Subscriber<unknown>): TeardownLogic {
  return run(this as ConfiguredCall<unknown>, subscriber);
}

/**
 * Runs a call once, reporting to `sink`. Made by the first ConfiguredCall constructed, where its private fields
 * are in reach (a class static block would do, but needs Safari 16.4).
 */
let run: (call: ConfiguredCall<unknown>, sink: CallSink) => TeardownLogic;

/** What {@link HubCall} and {@link HubStream} share: the call they start on subscribe, and its options. */
abstract class ConfiguredCall<T> extends Observable<T> {
  readonly #context: CallContext;
  readonly #target: string;
  readonly #args: readonly unknown[];
  readonly #options: CallOptions;

  /** @internal */
  constructor(context: CallContext, target: string, args: readonly unknown[], options = NO_OPTIONS) {
    super(subscribeCall);
    this.#context = context;
    this.#target = target;
    this.#args = args;
    this.#options = options;
    run ??= (call, sink) =>
      new PendingCall(
        call.#context,
        call instanceof HubStream,
        call.#target,
        call.#args,
        call.#options,
        sink,
      );
  }

  /** The same call with options (merged with any given before). */
  with(options: CallOptions): this {
    const Call = this.constructor as new (
      context: CallContext,
      target: string,
      args: readonly unknown[],
      options: CallOptions,
    ) => this;
    return new Call(this.#context, this.#target, this.#args, { ...this.#options, ...options });
  }
}

/**
 * A hub method call: a cold Observable (each subscription invokes the method once, emits its result and
 * completes; unsubscribing early sends CancelInvocation) that can also be used as a Promise (each `await`, `then`,
 * `catch` or `finally` is one invocation).
 *
 * @example
 * ```ts
 * const sum = await connection.invoke('Add', 1, 2);
 * connection.invoke('Add', 1, 2).pipe(retry(2)).subscribe(console.log);
 * await connection.invoke('Slow').with({ timeoutMs: 5000, signal: controller.signal });
 * connection.invoke('Typing', true).catch(reportError);
 * ```
 */
export class HubCall<T> extends ConfiguredCall<T> implements PromiseLike<T> {
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // Awaited, the call settles a promise directly: no subscription and no Subscriber.
    return new Promise<T>((resolve, reject) => void run(this, { next: resolve, error: reject })).then(
      onfulfilled,
      onrejected,
    );
  }

  /** Invokes the method; a Promise of the result, or of `onrejected`'s answer to its error. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  /** Invokes the method; a Promise of its result, after `onfinally` has run however the call ended. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }
}

/**
 * A server-to-client stream: a cold Observable (subscribing sends StreamInvocation, unsubscribing before the end
 * sends CancelInvocation; every item reaches the subscriber, none is lost before it subscribes), also usable with
 * `for await` (breaking out cancels the stream).
 *
 * @example
 * ```ts
 * connection.stream('Counter', 10, 100).subscribe((n) => console.log(n));
 * for await (const n of connection.stream('Counter', 10, 100)) if (n > 5) break;
 * ```
 */
export class HubStream<T> extends ConfiguredCall<T> implements AsyncIterable<T> {
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return iterate(this);
  }
}

/**
 * Iterates an Observable: items are queued until pulled (SignalR streams cannot be slowed down, so the queue is
 * unbounded); `return()` (a `break`) unsubscribes.
 */
export function iterate<T>(source: Observable<T>): AsyncIterator<T> {
  // Read from `head` rather than shift(), which moves every queued item: a long backlog would cost O(n) per item.
  let items: T[] = [];
  let head = 0;
  let end: { error: Error } | { done: true } | undefined;
  let waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  const subscription = source.subscribe({
    next(value) {
      if (waiting === undefined) return void items.push(value);
      const { resolve } = waiting;
      waiting = undefined;
      resolve({ value, done: false });
    },
    error(error: unknown) {
      end = { error: error as Error };
      waiting?.reject(error);
      waiting = undefined;
    },
    complete() {
      end = { done: true };
      waiting?.resolve({ value: undefined, done: true });
      waiting = undefined;
    },
  });
  return {
    next() {
      if (head < items.length) {
        const value = items[head++]!;
        if (head === items.length) {
          items = [];
          head = 0;
        } else if (head >= 1024 && head * 2 >= items.length) {
          // Consumed items are dropped in bulk (amortized O(1)), so a consumer that never catches up holds no garbage.
          items = items.slice(head);
          head = 0;
        }
        return Promise.resolve({ value, done: false });
      }
      if (end !== undefined) {
        return 'error' in end ? Promise.reject(end.error) : Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    return() {
      subscription.unsubscribe();
      items = [];
      head = 0;
      end ??= { done: true };
      return Promise.resolve({ value: undefined, done: true });
    },
  };
}
