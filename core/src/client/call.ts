import type { Unsubscribable } from 'rxjs';
import { AbortError, ConnectionClosedError, HubError, ProtocolError, TimeoutError } from '../errors.js';
import {
  INVOCATION,
  STREAM_INVOCATION,
  STREAM_ITEM,
  type CompletionMessage,
  type HubMessage,
  type StreamItemMessage,
} from '../protocol/messages.js';
import type { CallOptions } from './calls.js';
import type { Clock } from '../common/clock.js';
import type { Invocations } from './invocations.js';
import { splitArguments, startUploads, type UploadSink } from './uploads.js';

/** What a call needs from its connection. */
export interface CallContext {
  readonly invocations: Invocations;
  readonly clock: Clock;
  readonly uploads: UploadSink;
  /** Writes a message (`undefined`), queues it until connected (a Promise), or throws why it cannot. */
  post(message: HubMessage): Promise<void> | undefined;
  /** Withdraws an invocation: from the outbox if still queued there, else with a CancelInvocation. */
  withdraw(invocationId: string): void;
}

/**
 * Who hears a call: its rxjs Subscriber (the Observable form), or `{ next: resolve, error: reject }` (awaited).
 * Told once: items (streams), then the result and `complete`, or an error.
 */
export interface CallSink {
  next(value: unknown): void;
  error(error: unknown): void;
  complete?(): void;
}

const aborted = (target: string, signal: AbortSignal) =>
  new AbortError(`The call of '${target}' was aborted.`, { cause: signal.reason });

/**
 * One run of an invoke or a stream: sends the (Stream)Invocation, registers it in the invocation table, arms its
 * timeout and abort signal, and starts its uploads once the invocation is on its way. It is what the table routes
 * results to, the teardown of its subscription and the listener of its abort signal, in one object (no closures
 * per call), and is torn down exactly once, whichever comes first: the Completion, an error, the timeout, the
 * abort signal, or the subscriber leaving (which withdraws the call from the server).
 */
export class PendingCall implements Unsubscribable {
  readonly #target: string;
  readonly #streaming: boolean;
  #settled = false;
  #timer: unknown;
  #stopUploads: (() => void) | undefined;
  readonly #context: CallContext;
  readonly #id: string | undefined;
  readonly #sink: CallSink;
  readonly #signal: AbortSignal | undefined;

  constructor(
    context: CallContext,
    streaming: boolean,
    target: string,
    args: readonly unknown[],
    { signal, timeoutMs }: CallOptions,
    sink: CallSink,
  ) {
    this.#target = target;
    this.#streaming = streaming;
    this.#context = context;
    this.#sink = sink;
    this.#signal = signal;
    if (signal?.aborted === true) {
      this.#fail(aborted(target, signal));
      return;
    }
    const { invocations } = context;
    const type = streaming ? STREAM_INVOCATION : INVOCATION;
    const split = splitArguments(args, invocations);
    const invocationId = (this.#id = invocations.nextId());
    invocations.add(invocationId, this);
    let queued: Promise<void> | undefined;
    try {
      queued = context.post(
        split === undefined
          ? { type, invocationId, target, arguments: args }
          : { type, invocationId, target, arguments: split.args, streamIds: split.streamIds },
      );
    } catch (error) {
      invocations.remove(invocationId);
      this.#fail(error);
      return;
    }
    signal?.addEventListener('abort', this, { once: true });
    if (timeoutMs !== undefined) {
      this.#timer = context.clock.setTimeout(
        () =>
          this.#cancel(
            new TimeoutError(`The call of '${target}' did not complete within ${timeoutMs} ms.`, timeoutMs),
          ),
        timeoutMs,
      );
    }
    if (split !== undefined) {
      const upload = () => {
        if (!this.#settled) this.#stopUploads = startUploads(split.streams, split.streamIds, context.uploads);
      };
      if (queued === undefined) upload();
      else queued.then(upload, () => undefined);
    }
  }

  /** A StreamItem or the Completion of this call. */
  receive(message: StreamItemMessage | CompletionMessage): void {
    const item = message.type === STREAM_ITEM;
    if (item && this.#streaming) return this.#sink.next(message.item);
    const { invocations } = this.#context;
    const target = this.#target;
    const invocationId = this.#id!;
    invocations.remove(invocationId);
    if (item) {
      this.#fail(
        new ProtocolError(`The server sent a stream item for the non-streaming invocation '${target}'.`, {
          protocol: invocations.protocol,
          messageType: STREAM_ITEM,
        }),
      );
    } else if (message.error !== undefined) {
      this.#fail(new HubError(message.error, { target, invocationId }));
    } else {
      this.#settle();
      if (!this.#streaming) this.#sink.next(message.result);
      this.#sink.complete?.();
    }
  }

  /** The connection the call was made on is gone (the table has already forgotten it). */
  lost(cause: Error): void {
    this.#fail(
      new ConnectionClosedError(`The connection closed before '${this.#target}' completed.`, {
        invocationId: this.#id!,
        cause,
      }),
    );
  }

  /** The subscriber left (rxjs runs this teardown): withdraws the call unless it already ended. */
  unsubscribe(): void {
    this.#cancel();
  }

  /** The abort signal's listener. */
  handleEvent(): void {
    this.#cancel(aborted(this.#target, this.#signal!));
  }

  /** Releases what the call holds (timer, abort listener, uploads); once, before the caller hears. */
  #settle(): void {
    this.#settled = true;
    if (this.#timer !== undefined) this.#context.clock.clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this);
    this.#stopUploads?.();
  }

  #fail(error: unknown): void {
    this.#settle();
    this.#sink.error(error);
  }

  #cancel(error?: Error): void {
    if (this.#settled) return;
    this.#context.invocations.remove(this.#id!);
    this.#settle();
    this.#context.withdraw(this.#id!);
    if (error !== undefined) this.#sink.error(error);
  }
}
