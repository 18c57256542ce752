import type { Subscriber } from 'rxjs';
import { HubError, ProtocolError, type ProtocolName } from '../errors.js';
import { MessageType, type CompletionMessage, type StreamItemMessage } from '../protocol/messages.js';

/** An invocation or stream waiting for the server. */
export interface PendingCall {
  readonly target: string;
  readonly streaming: boolean;
  readonly subscriber: Subscriber<unknown>;
  /** Releases what the call holds (timer, abort listener, uploads); called once, before the subscriber hears. */
  readonly settle: () => void;
}

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
    const { subscriber } = call;
    const item = message.type === MessageType.StreamItem;
    if (item && call.streaming) return subscriber.next(message.item);
    this.#pending.delete(invocationId);
    call.settle();
    if (item) {
      subscriber.error(
        new ProtocolError(
          `The server sent a stream item for the non-streaming invocation '${call.target}'.`,
          {
            protocol: this.#protocol,
            messageType: MessageType.StreamItem,
          },
        ),
      );
    } else if (message.error !== undefined) {
      subscriber.error(new HubError(message.error, { target: call.target, invocationId }));
    } else {
      if (!call.streaming) subscriber.next(message.result);
      subscriber.complete();
    }
  }

  /** Fails every call: the connection they were made on is gone. */
  failAll(error: (call: PendingCall, invocationId: string) => Error): void {
    const calls = this.#pending;
    this.#pending = new Map();
    for (const [invocationId, call] of calls) {
      call.settle();
      call.subscriber.error(error(call, invocationId));
    }
  }
}
