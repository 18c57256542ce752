import { ConnectionClosedError } from '../errors.js';
import type { HubMessage } from '../protocol/messages.js';
import { deferred, type Deferred } from './deferred.js';

/**
 * Opt-in: messages sent while (re)connecting wait here, in order, and go out once connected. Bounded: past the
 * limit a send fails at once, and when the connection closes for good every waiting send fails.
 */
export class Outbox {
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
