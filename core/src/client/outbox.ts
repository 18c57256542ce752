import { ConnectionClosedError } from '../errors.js';
import type { HubMessage } from '../protocol/messages.js';
import { deferred, type Deferred } from '../common/deferred.js';
import { positive } from './options.js';

/** Options of {@link outbox}. */
export interface OutboxOptions {
  /** How many calls may wait; past it a call fails at once. Default 1000. */
  readonly limit?: number;
}

/** The outbox, as enabled by {@link outbox}: pass it as the `outbox` option. */
export interface Outbox {
  readonly limit: number;
}

/** What the connection uses of the feature; not part of the public type. */
export interface OutboxFeature extends Outbox {
  createQueue(): OutboxQueue;
}

/**
 * Enables the outbox: `send`, `invoke` and `stream` calls made while connecting or reconnecting wait, in order,
 * and go out once connected, instead of failing at once. Bounded by `limit`; when the connection closes for good
 * (stopped, or the reconnect policy gives up) every waiting call fails. An opt-in import, so that apps without it
 * do not ship its code.
 *
 * @example
 * ```ts
 * import { createHubConnection, outbox } from '@hubrx/core';
 *
 * const connection = createHubConnection({ url: '/hub', outbox: outbox({ limit: 100 }) });
 * ```
 */
export function outbox(options: OutboxOptions = {}): Outbox {
  const limit = positive('outbox.limit', options.limit, 1000);
  const feature: OutboxFeature = { limit, createQueue: () => new OutboxQueue(limit) };
  return feature;
}

/**
 * Messages sent while (re)connecting wait here, in order, and go out once connected. Bounded: past the limit a
 * send fails at once, and when the connection closes for good every waiting send fails.
 */
export class OutboxQueue {
  #entries: { readonly message: HubMessage; readonly sent: Deferred }[] = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#entries.length;
  }

  /** Queues a message; the Promise settles when it has been written to the connection. */
  push(message: HubMessage): Promise<void> {
    if (this.#entries.length >= this.limit) {
      throw new ConnectionClosedError(
        `The connection is not connected and its outbox is full (${this.limit} messages).`,
        'invocationId' in message ? { invocationId: message.invocationId } : {},
      );
    }
    const sent = deferred();
    this.#entries.push({ message, sent });
    return sent.promise;
  }

  /** Takes back a queued invocation (its caller cancelled it). */
  discard(invocationId: string): boolean {
    const index = this.#entries.findIndex(
      (entry) => 'invocationId' in entry.message && entry.message.invocationId === invocationId,
    );
    if (index === -1) return false;
    this.#entries
      .splice(index, 1)[0]!
      .sent.reject(new ConnectionClosedError('Cancelled before it was sent.', { invocationId }));
    return true;
  }

  flush(write: (message: HubMessage) => void): void {
    const entries = this.#entries;
    this.#entries = [];
    for (const { message, sent } of entries) {
      try {
        write(message);
        sent.resolve();
      } catch (error) {
        sent.reject(error as Error);
      }
    }
  }

  fail(error: Error): void {
    const entries = this.#entries;
    this.#entries = [];
    for (const { sent } of entries) sent.reject(error);
  }
}
