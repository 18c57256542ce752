import type { Observable } from 'rxjs';

/**
 * The hub of an untyped connection: any method name, any arguments, results of type `any` (as with the official
 * client). Describe your hub with interfaces to have names, arguments and results checked instead.
 */
export interface UntypedHub {
  [method: string]: (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A client-to-server stream parameter (a C# `IAsyncEnumerable<T>` or `ChannelReader<T>`): pass an Observable or
 * an AsyncIterable.
 *
 * @example
 * ```ts
 * interface Server { Sum(values: Upload<number>): number }
 * await connection.invoke('Sum', of(1, 2, 3));
 * ```
 */
export type Upload<T> = Observable<T> | AsyncIterable<T>;

/**
 * The return type of a streaming server method (C# `IAsyncEnumerable<T>` or `ChannelReader<T>`): call it with
 * `stream()`.
 *
 * @example
 * ```ts
 * interface Server { Counter(count: number, intervalMs: number): StreamResult<number> }
 * connection.stream('Counter', 10, 100).subscribe((n) => console.log(n));
 * ```
 */
export type StreamResult<T> = Observable<T> | AsyncIterable<T>;

/** The argument tuple of a hub method. */
export type MethodArgs<Hub, K extends keyof Hub> = Hub[K] extends (...args: infer A) => unknown ? A : never;

/** The methods of `Hub` called with `stream()`. */
export type StreamingMethod<Hub> = {
  [K in keyof Hub]: Hub[K] extends (...args: never[]) => StreamResult<unknown> ? K : never;
}[keyof Hub] &
  string;

/** The methods of `Hub` called with `invoke()` or `send()`: those not returning a stream. */
export type InvokableMethod<Hub> = {
  [K in keyof Hub]: Hub[K] extends (...args: never[]) => infer R
    ? R extends StreamResult<unknown>
      ? never
      : K
    : never;
}[keyof Hub] &
  string;

/** What `invoke()` of method `K` resolves with. */
export type MethodResult<Hub, K extends keyof Hub> = Hub[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

/** The item type of streaming method `K`. */
export type StreamItem<Hub, K extends keyof Hub> = Hub[K] extends (...args: never[]) => infer R
  ? R extends Observable<infer T>
    ? T
    : R extends AsyncIterable<infer T>
      ? T
      : never
  : never;

/** What a client-result handler for method `K` may return: the value, a Promise of it, or an Observable of it. */
export type ClientResult<Hub, K extends keyof Hub> = Hub[K] extends (...args: never[]) => infer R
  ? Awaited<R> | PromiseLike<Awaited<R>> | Observable<Awaited<R>>
  : never;

/** The client methods of `Hub` (any of them may be observed with `on()` or answered with `handle()`). */
export type ClientMethod<Hub> = keyof Hub & string;
