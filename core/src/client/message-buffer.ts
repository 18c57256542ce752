import { ProtocolError } from '../errors.js';
import { CANCEL_INVOCATION, INVOCATION, SEQUENCE, type HubMessage } from '../protocol/messages.js';
import type { Clock } from '../common/clock.js';

/** Acks are coalesced: at most one per second, as ASP.NET Core and the official client do. */
const ACK_DELAY_MS = 1000;

interface Tracked {
  readonly id: number;
  readonly data: string | Uint8Array;
  readonly size: number;
}

/** Invocation, StreamItem, Completion, StreamInvocation and CancelInvocation are sequenced; the rest is not. */
function isSequenced(type: number): boolean {
  return type >= INVOCATION && type <= CANCEL_INVOCATION;
}

/**
 * Stateful reconnect, client side. Sending: every sequenced message is kept (serialized) until the server acks
 * it, to be replayed after a reattach; past `limitBytes` of un-acked data, writers are asked to wait
 * (backpressure). Receiving: sequenced messages are numbered, duplicates replayed by the server are dropped, and
 * the latest id is acked, coalesced by a one-shot timer (no timer per message).
 */
export class MessageBuffer {
  #items: Tracked[] = [];
  #head = 0;
  #sentCount = 0;
  #bytes = 0;
  #drained: (() => void)[] = [];

  #nextReceiveId = 1;
  #latestReceived = 0;
  #awaitingSequence = false;
  #ackTimer: unknown;

  readonly #clock: Clock;
  readonly #limitBytes: number;
  readonly #sendAck: (sequenceId: number) => void;

  constructor(clock: Clock, limitBytes: number, sendAck: (sequenceId: number) => void) {
    this.#clock = clock;
    this.#limitBytes = limitBytes;
    this.#sendAck = sendAck;
  }

  /** Keeps a sequenced message (of `type`) for replay; the others need none. */
  track(type: number, data: string | Uint8Array): void {
    if (!isSequenced(type)) return;
    const size = typeof data === 'string' ? data.length : data.byteLength;
    this.#items.push({ id: ++this.#sentCount, data, size });
    this.#bytes += size;
  }

  /** `undefined` while under the limit; otherwise a Promise resolved once acks bring it back under. */
  pressure(): Promise<void> | undefined {
    if (this.#bytes <= this.#limitBytes) return undefined;
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** The server has everything up to `sequenceId`. */
  ack(sequenceId: number): void {
    const items = this.#items;
    while (this.#head < items.length && items[this.#head]!.id <= sequenceId) {
      this.#bytes -= items[this.#head]!.size;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    if (this.#bytes <= this.#limitBytes && this.#drained.length > 0) {
      const drained = this.#drained;
      this.#drained = [];
      for (const resolve of drained) resolve();
    }
  }

  /** Whether a received message is new (to be processed) rather than a replayed duplicate. */
  accept(message: HubMessage): boolean {
    if (this.#awaitingSequence) return false;
    if (!isSequenced(message.type)) return true;
    const id = this.#nextReceiveId++;
    const fresh = id > this.#latestReceived;
    if (fresh) this.#latestReceived = id;
    if (this.#ackTimer === undefined) this.#ackTimer = this.#clock.setTimeout(this.#onAckTimer, ACK_DELAY_MS);
    return fresh;
  }

  /** The server's Sequence: the next message it sends carries `sequenceId`. */
  resetSequence(sequenceId: number): void {
    if (sequenceId > this.#nextReceiveId) {
      throw new ProtocolError("Sequence ID greater than amount of messages we've received.", {
        protocol: 'sequence',
        messageType: SEQUENCE,
      });
    }
    this.#nextReceiveId = sequenceId;
    this.#awaitingSequence = false;
  }

  /** The transport is gone: until the server's Sequence arrives on the next one, nothing received counts. */
  detached(): void {
    this.#awaitingSequence = true;
    this.#stopAckTimer();
  }

  /**
   * On a new transport: our Sequence, an Ack of what we have received (the timer may never have fired if drops
   * come faster than once a second, and the server's buffer would never drain), then every un-acked message.
   */
  replay(sequence: (sequenceId: number) => void, send: (data: string | Uint8Array) => void): void {
    const items = this.#items;
    sequence(this.#head < items.length ? items[this.#head]!.id : this.#sentCount + 1);
    if (this.#latestReceived > 0) this.#sendAck(this.#latestReceived);
    for (let i = this.#head; i < items.length; i++) send(items[i]!.data);
  }

  /** Number and size of messages the server has not acknowledged. */
  get unacknowledged(): { readonly count: number; readonly bytes: number } {
    return { count: this.#items.length - this.#head, bytes: this.#bytes };
  }

  dispose(): void {
    this.#stopAckTimer();
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    const drained = this.#drained;
    this.#drained = [];
    // Writers waiting on backpressure go on; their writes fail on the closed link.
    for (const resolve of drained) resolve();
  }

  #stopAckTimer(): void {
    if (this.#ackTimer !== undefined) this.#clock.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  readonly #onAckTimer = (): void => {
    this.#ackTimer = undefined;
    if (!this.#awaitingSequence) this.#sendAck(this.#latestReceived);
  };
}
