import { HubError, ProtocolError, type ProtocolName } from '../errors.js';
import { MessageType, type CompletionMessage, type StreamItemMessage } from '../protocol/messages.js';
import type { PendingCall } from './call.js';

/**
 * The table of invocations awaiting results. Ids are decimal strings from one counter that is never reset, as
 * the official client's. Results are routed synchronously: no promise per message.
 */
export class Invocations {
  #counter = 0;
  #pending = new Map<string, PendingCall>();
  readonly #protocol: ProtocolName;

  constructor(protocol: ProtocolName) {
    this.#protocol = protocol;
  }

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

  dispatch(message: StreamItemMessage | CompletionMessage): void {
    const { invocationId } = message;
    const call = this.#pending.get(invocationId);
    if (call === undefined) return; // cancelled, timed out, or not ours: nothing waits for it
    if (message.type === MessageType.StreamItem) {
      if (call.streaming) return call.item(message.item);
      this.#pending.delete(invocationId);
      call.fail(
        new ProtocolError(
          `The server sent a stream item for the non-streaming invocation '${call.target}'.`,
          {
            protocol: this.#protocol,
            messageType: MessageType.StreamItem,
          },
        ),
      );
      return;
    }
    this.#pending.delete(invocationId);
    if (message.error !== undefined)
      call.fail(new HubError(message.error, { target: call.target, invocationId }));
    else call.complete(message.result);
  }

  /** Fails every call: the connection they were made on is gone. */
  failAll(error: (call: PendingCall, invocationId: string) => Error): void {
    const calls = this.#pending;
    this.#pending = new Map();
    for (const [invocationId, call] of calls) call.fail(error(call, invocationId));
  }
}
