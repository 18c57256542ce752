import { isObservable, Observable, Subscription, type Subscriber } from 'rxjs';
import type { InvocationMessage } from '../protocol/messages.js';
import type { Log } from '../common/logger.js';

/** Computes a client result: a value, a Promise, or an Observable (its first value). */
export type ResultHandler = (...args: never[]) => unknown;

/** The official client's texts, which servers and their tests may rely on. */
export const NO_RESULT = "Client didn't provide a result.";

interface Entry {
  /** Copy-on-write, so that dispatch iterates without copying. */
  observers: readonly Subscriber<readonly unknown[]>[];
  handler: ResultHandler | undefined;
}

/** Replies to a client-result invocation. */
export type Reply = (
  invocationId: string,
  outcome: { readonly result: unknown } | { readonly error: string },
) => void;

/** How many distinct spellings of target names are remembered. */
const SPELLINGS = 1024;

/**
 * Server-to-client calls: `on(target)` observers and `handle(target, fn)` result handlers, matched
 * case-insensitively as the official client does. A lookup is one Map hit for a spelling seen before.
 */
export class ClientMethods {
  readonly #byName = new Map<string, Entry>();
  readonly #bySpelling = new Map<string, Entry | null>();
  readonly #log: Log;
  readonly #reply: Reply;

  constructor(log: Log, reply: Reply) {
    this.#log = log;
    this.#reply = reply;
  }

  on(target: string): Observable<readonly unknown[]> {
    return new Observable((subscriber) => {
      const entry = this.#entry(target);
      entry.observers = [...entry.observers, subscriber];
      return () => {
        entry.observers = entry.observers.filter((observer) => observer !== subscriber);
        this.#prune(target, entry);
      };
    });
  }

  handle(target: string, handler: ResultHandler): Subscription {
    const entry = this.#entry(target);
    if (entry.handler !== undefined) {
      throw new Error(`A result handler for '${target}' is already registered: unsubscribe it first.`);
    }
    entry.handler = handler;
    return new Subscription(() => {
      if (entry.handler !== handler) return;
      entry.handler = undefined;
      this.#prune(target, entry);
    });
  }

  dispatch(message: InvocationMessage): void {
    const { target, invocationId } = message;
    const entry = this.#lookup(target);
    if (entry === null) {
      this.#log('warn', `No client method with the name '${target}' found.`);
    } else {
      const { observers } = entry;
      for (let i = 0; i < observers.length; i++) observers[i]!.next(message.arguments);
    }
    if (invocationId === undefined) return;
    if (entry?.handler === undefined) this.#reply(invocationId, { error: NO_RESULT });
    else this.#answer(entry.handler, message.arguments, invocationId);
  }

  #answer(handler: ResultHandler, args: readonly unknown[], invocationId: string): void {
    const fail = (error: unknown) => this.#reply(invocationId, { error: String(error) });
    const succeed = (result: unknown) =>
      this.#reply(invocationId, result === undefined ? { error: NO_RESULT } : { result });
    let result: unknown;
    try {
      result = (handler as (...args: readonly unknown[]) => unknown)(...args);
    } catch (error) {
      return fail(error);
    }
    // An Observable answers with its first value (unsubscribed then); one that completes empty has no result.
    if (isObservable(result)) result = firstValue(result);
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      (result as PromiseLike<unknown>).then(succeed, fail);
      return;
    }
    succeed(result);
  }

  #lookup(target: string): Entry | null {
    let entry = this.#bySpelling.get(target);
    if (entry === undefined) {
      entry = this.#byName.get(target.toLowerCase()) ?? null;
      if (this.#bySpelling.size < SPELLINGS) this.#bySpelling.set(target, entry);
    }
    return entry;
  }

  #entry(target: string): Entry {
    const name = target.toLowerCase();
    let entry = this.#byName.get(name);
    if (entry === undefined) {
      entry = { observers: [], handler: undefined };
      this.#byName.set(name, entry);
      this.#bySpelling.clear();
    }
    return entry;
  }

  #prune(target: string, entry: Entry): void {
    if (entry.observers.length > 0 || entry.handler !== undefined) return;
    const name = target.toLowerCase();
    if (this.#byName.get(name) === entry) {
      this.#byName.delete(name);
      this.#bySpelling.clear();
    }
  }
}

/** An Observable's first value (unsubscribing then), or `undefined` if it completes empty. */
function firstValue(source: Observable<unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const subscription = new Subscription();
    subscription.add(
      source.subscribe({
        next(value) {
          resolve(value);
          subscription.unsubscribe();
        },
        error: reject,
        complete: () => resolve(undefined),
      }),
    );
  });
}
