import type { Subscriber, TeardownLogic } from 'rxjs';
import { AbortError, TimeoutError } from '../errors.js';
import { MessageType, type HubMessage } from '../protocol/messages.js';
import type { CallOptions } from './calls.js';
import type { Clock } from './clock.js';
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
 * One subscription to an invoke or a stream: sends the (Stream)Invocation, registers it in the invocation table,
 * starts the uploads once the invocation is on its way, and tears everything down exactly once, whichever comes
 * first: the Completion, an error, the timeout, the abort signal, or the subscriber leaving (which withdraws the
 * call from the server).
 */
export function runCall(
  context: CallContext,
  streaming: boolean,
  target: string,
  args: readonly unknown[],
  subscriber: Subscriber<unknown>,
  { signal, timeoutMs }: CallOptions,
): TeardownLogic {
  if (signal?.aborted === true) {
    subscriber.error(new AbortError(`The call of '${target}' was aborted.`, { cause: signal.reason }));
    return undefined;
  }
  const { invocations, clock } = context;
  const split = splitArguments(args, () => invocations.nextId());
  const invocationId = invocations.nextId();
  let settled = false;
  let timer: unknown;
  let stopUploads: (() => void) | undefined;
  const settle = () => {
    settled = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    stopUploads?.();
  };
  const cancel = (error?: Error) => {
    if (settled) return;
    invocations.remove(invocationId);
    settle();
    context.withdraw(invocationId);
    if (error !== undefined) subscriber.error(error);
  };
  const onAbort = () =>
    cancel(new AbortError(`The call of '${target}' was aborted.`, { cause: (signal as AbortSignal).reason }));

  invocations.add(invocationId, { target, streaming, subscriber, settle });
  let queued: Promise<void> | undefined;
  try {
    queued = context.post({
      type: streaming ? MessageType.StreamInvocation : MessageType.Invocation,
      invocationId,
      target,
      arguments: split.args,
      ...(split.streamIds !== undefined && { streamIds: split.streamIds }),
    });
  } catch (error) {
    invocations.remove(invocationId);
    settle();
    subscriber.error(error);
    return undefined;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  if (timeoutMs !== undefined) {
    timer = clock.setTimeout(
      () =>
        cancel(
          new TimeoutError(`The call of '${target}' did not complete within ${timeoutMs} ms.`, timeoutMs),
        ),
      timeoutMs,
    );
  }
  if (split.streamIds !== undefined) {
    const begin = () => {
      if (!settled) stopUploads = startUploads(split.streams, split.streamIds!, context.uploads);
    };
    if (queued === undefined) begin();
    else queued.then(begin, () => undefined);
  }
  return () => cancel();
}
