import type { ProtocolName } from '../errors.js';
import type { CompletionMessage, StreamItemMessage } from '../protocol/messages.js';
import type { PendingCall } from './call.js';

/**
 * The table of invocations awaiting results. Ids are decimal strings from one counter that is never reset, as
 * the official client's. Results are routed synchronously: no promise per message.
 */
export class Invocations {
  #counter = 0;
  #pending = new Map<string, PendingCall>();

  constructor(readonly protocol: ProtocolName) {}

  nextId(): string {
    return String(this.#counter++);
  }

  add(invocationId: string, call: PendingCall): void {
    this.#pending.set(invocationId, call);
  }

  /** Forgets a call (cancelled, timed out); a late result is then ignored. */
  remove(invocationId: string): boolean {
    return this.#pending.delete(invocationId);
  }

  /** Routes a result to its call; nothing waits for one that was cancelled, timed out, or is not ours. */
  dispatch(message: StreamItemMessage | CompletionMessage): void {
    this.#pending.get(message.invocationId)?.receive(message);
  }

  /** Fails every call with a `ConnectionClosedError`: the connection they were made on is gone. */
  failAll(cause: Error): void {
    const calls = this.#pending;
    this.#pending = new Map();
    for (const call of calls.values()) call.lost(cause);
  }
}
