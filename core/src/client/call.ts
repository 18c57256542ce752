import type { Subscriber, Unsubscribable } from 'rxjs';
import { AbortError, TimeoutError } from '../errors.js';
import { MessageType, type HubMessage } from '../protocol/messages.js';
import type { CallOptions } from './calls.js';
import type { Clock } from './clock.js';
import type { Invocations } from './invocations.js';
import { hasUploads, splitArguments, startUploads, type UploadSink } from './uploads.js';

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
 * One run of an invoke or a stream, waiting for the server: what the invocation table routes results to, the
 * teardown of its subscription, and the listener of its abort signal, all in one object (no closure per call). It
 * is torn down exactly once, whichever comes first: the Completion, an error, the timeout, the abort signal, or
 * the subscriber leaving (which withdraws the call from the server).
 */
export class PendingCall implements Unsubscribable {
  #settled = false;
  #timer: unknown;
  #stopUploads: (() => void) | undefined;

  constructor(
    readonly target: string,
    readonly streaming: boolean,
    readonly invocationId: string,
    readonly context: CallContext,
    readonly subscriber: Subscriber<unknown> | undefined,
    readonly resolve: ((value: unknown) => void) | undefined,
    readonly reject: ((error: unknown) => void) | undefined,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** A stream item (only routed to streaming calls). */
  item(value: unknown): void {
    this.subscriber!.next(value);
  }

  /** The Completion without an error: `result` for an invoke (a stream's Completion carries none). */
  complete(result: unknown): void {
    this.#settle();
    const { subscriber } = this;
    if (subscriber === undefined) return this.resolve!(result);
    if (!this.streaming) subscriber.next(result);
    subscriber.complete();
  }

  /** The call failed (a HubError, a protocol error, a lost connection, a timeout, an abort). */
  fail(error: unknown): void {
    this.#settle();
    if (this.subscriber === undefined) this.reject!(error);
    else this.subscriber.error(error);
  }

  /** The subscriber left (the teardown rxjs runs): withdraws the call unless it already ended. */
  unsubscribe(): void {
    this.#cancel();
  }

  /** The abort signal's listener. */
  handleEvent(): void {
    this.#cancel(new AbortError(`The call of '${this.target}' was aborted.`, { cause: this.signal!.reason }));
  }

  /** Starts its uploads once the invocation is on its way, unless it already ended. */
  upload(streams: Parameters<typeof startUploads>[0], streamIds: readonly string[]): void {
    if (!this.#settled) this.#stopUploads = startUploads(streams, streamIds, this.context.uploads);
  }

  arm(timeoutMs: number | undefined): void {
    this.signal?.addEventListener('abort', this, { once: true });
    if (timeoutMs === undefined) return;
    this.#timer = this.context.clock.setTimeout(
      () =>
        this.#cancel(
          new TimeoutError(
            `The call of '${this.target}' did not complete within ${timeoutMs} ms.`,
            timeoutMs,
          ),
        ),
      timeoutMs,
    );
  }

  /** Releases what the call holds (timer, abort listener, uploads); once, before the caller hears. */
  #settle(): void {
    this.#settled = true;
    if (this.#timer !== undefined) this.context.clock.clearTimeout(this.#timer);
    this.signal?.removeEventListener('abort', this);
    this.#stopUploads?.();
  }

  #cancel(error?: Error): void {
    if (this.#settled) return;
    this.context.invocations.remove(this.invocationId);
    this.#settle();
    this.context.withdraw(this.invocationId);
    if (error !== undefined) this.fail(error);
  }

  /** Sent, or failed to send (`error`): the call is forgotten and fails. */
  failToSend(error: unknown): void {
    this.context.invocations.remove(this.invocationId);
    this.fail(error);
  }
}

/**
 * Starts one invoke or stream: sends the (Stream)Invocation, registers it in the invocation table, arms its
 * timeout and abort signal, and starts its uploads once the invocation is on its way. Returns the call (the
 * subscription's teardown), or `undefined` when it failed at once.
 */
export function startCall(
  context: CallContext,
  streaming: boolean,
  target: string,
  args: readonly unknown[],
  { signal, timeoutMs }: CallOptions,
  subscriber: Subscriber<unknown> | undefined,
  resolve?: (value: unknown) => void,
  reject?: (error: unknown) => void,
): PendingCall | undefined {
  if (signal?.aborted === true) {
    const error = new AbortError(`The call of '${target}' was aborted.`, { cause: signal.reason });
    if (subscriber === undefined) reject!(error);
    else subscriber.error(error);
    return undefined;
  }
  const { invocations } = context;
  const type = streaming ? MessageType.StreamInvocation : MessageType.Invocation;
  // The common call has no upload: its message is one fixed shape, with no split of the arguments.
  const split = hasUploads(args) ? splitArguments(args, () => invocations.nextId()) : undefined;
  const invocationId = invocations.nextId();
  const call = new PendingCall(target, streaming, invocationId, context, subscriber, resolve, reject, signal);
  invocations.add(invocationId, call);
  let queued: Promise<void> | undefined;
  try {
    queued = context.post(
      split === undefined
        ? { type, invocationId, target, arguments: args }
        : { type, invocationId, target, arguments: split.args, streamIds: split.streamIds },
    );
  } catch (error) {
    call.failToSend(error);
    return undefined;
  }
  call.arm(timeoutMs);
  if (split !== undefined) {
    if (queued === undefined) call.upload(split.streams, split.streamIds);
    else
      queued.then(
        () => call.upload(split.streams, split.streamIds),
        () => undefined,
      );
  }
  return call;
}
