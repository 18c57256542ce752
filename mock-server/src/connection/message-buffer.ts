import { MessageType, type HubMessage } from '@hubrx/core';

/** Invocation, StreamItem, Completion, StreamInvocation, CancelInvocation: the messages that get sequence ids. */
export function isTrackable(message: HubMessage): boolean {
  return message.type <= MessageType.CancelInvocation;
}

function frameSize(frame: string | Uint8Array): number {
  // Text frames are counted in UTF-16 units: exact for ASCII, close enough for a buffer limit.
  return frame.length;
}

/** Thrown when the client's Sequence skips messages the server never received. */
export class SequenceError extends Error {
  override readonly name = 'InvalidOperationException' as const;
  constructor() {
    super("Sequence ID greater than amount of messages we've received.");
  }
}

interface Buffered {
  readonly id: number;
  readonly frame: string | Uint8Array;
  readonly size: number;
}

/**
 * Stateful reconnect, server side (ASP.NET Core's `MessageBuffer`): numbers the trackable messages each way,
 * keeps what was sent until the client acknowledges it, drops duplicates received after a reconnect, and on
 * reattach sends `Sequence` and replays what is unacknowledged. Over `limit` unacknowledged bytes, further
 * writes are held back (not dropped) until acks arrive.
 */
export class MessageBuffer {
  private sentCount = 0;
  private buffer: Buffered[] = [];
  private bufferHead = 0;
  private bufferedBytes = 0;
  private held: { frame: string | Uint8Array; message: HubMessage }[] = [];
  private nextReceiveId = 1;
  private latestReceived = 0;
  private lastAcked = 0;

  constructor(
    private readonly limit: number,
    /** Puts a frame on the current transport; `false` while the transport is gone. */
    private readonly write: (frame: string | Uint8Array) => boolean,
    private readonly encode: (message: HubMessage) => string | Uint8Array,
  ) {}

  /** Messages held back because the buffer is full. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Sends (or holds) an outgoing message. */
  send(frame: string | Uint8Array, message: HubMessage): void {
    if (!isTrackable(message)) {
      // Pings and Close are not replayed; a held-back connection still gets them.
      this.write(frame);
      return;
    }
    if (this.held.length > 0 || this.bufferedBytes > this.limit) {
      this.held.push({ frame, message });
      return;
    }
    this.track(frame);
    this.write(frame);
  }

  private track(frame: string | Uint8Array): void {
    const size = frameSize(frame);
    this.buffer.push({ id: ++this.sentCount, frame, size });
    this.bufferedBytes += size;
  }

  /** Whether an incoming message should be dispatched (trackable duplicates after a reconnect are not). */
  shouldProcess(message: HubMessage): boolean {
    if (!isTrackable(message)) return true;
    const id = this.nextReceiveId++;
    if (id <= this.latestReceived) return false;
    this.latestReceived = id;
    return true;
  }

  /** The client acknowledged everything up to `sequenceId`. */
  ack(sequenceId: number): void {
    while (this.bufferHead < this.buffer.length && this.buffer[this.bufferHead]!.id <= sequenceId) {
      this.bufferedBytes -= this.buffer[this.bufferHead]!.size;
      this.buffer[this.bufferHead++] = undefined as never;
    }
    if (this.bufferHead === this.buffer.length) {
      this.buffer = [];
      this.bufferHead = 0;
    }
    while (this.held.length > 0 && this.bufferedBytes <= this.limit) {
      const { frame } = this.held.shift()!;
      this.track(frame);
      this.write(frame);
    }
  }

  /** The client's Sequence after a reconnect: where its next trackable message is numbered. */
  resetSequence(sequenceId: number): void {
    if (sequenceId > this.nextReceiveId) throw new SequenceError();
    this.nextReceiveId = sequenceId;
  }

  /** The Ack to send now, if the client's messages advanced since the last one (called on a timer). */
  pendingAck(): number | undefined {
    if (this.latestReceived === this.lastAcked) return undefined;
    this.lastAcked = this.latestReceived;
    return this.latestReceived;
  }

  /** A new transport is attached: Sequence, then every unacknowledged message, in order. */
  resend(): void {
    const first =
      this.bufferHead < this.buffer.length ? this.buffer[this.bufferHead]!.id : this.sentCount + 1;
    this.write(this.encode({ type: MessageType.Sequence, sequenceId: first }));
    for (let i = this.bufferHead; i < this.buffer.length; i++) this.write(this.buffer[i]!.frame);
  }
}
