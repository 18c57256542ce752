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
 * and starts the uploads once the invocation is on its way. Whichever comes first ends it: the Completion, the
 * connection closing, the timeout or the abort signal (both withdraw the call from the server), or the subscriber
 * leaving (which withdraws it too); its teardown then releases the timer, the abort listener and the uploads.
 */
export function runCall(
  context: CallContext,
  streaming: boolean,
  target: string,
  args: readonly unknown[],
  subscriber: Subscriber<unknown>,
  { signal, timeoutMs }: CallOptions,
): TeardownLogic {
  const aborted = () =>
    new AbortError(`The call of '${target}' was aborted.`, { cause: (signal as AbortSignal).reason });
  if (signal?.aborted === true) return subscriber.error(aborted());
  const { invocations, clock } = context;
  const split = splitArguments(args, () => invocations.nextId());
  const invocationId = invocations.nextId();
  /** Withdraws the call from the server (the CancelInvocation goes before the subscriber hears), and fails it. */
  const fail = (error: Error) => {
    if (invocations.remove(invocationId)) context.withdraw(invocationId);
    subscriber.error(error);
  };
  const onAbort = () => fail(aborted());
  invocations.add(invocationId, { target, streaming, subscriber });
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
    return subscriber.error(error);
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : clock.setTimeout(
          () =>
            fail(
              new TimeoutError(`The call of '${target}' did not complete within ${timeoutMs} ms.`, timeoutMs),
            ),
          timeoutMs,
        );
  let stopUploads: (() => void) | undefined;
  if (split.streamIds !== undefined) {
    const begin = () => {
      if (!subscriber.closed) stopUploads = startUploads(split.streams, split.streamIds!, context.uploads);
    };
    if (queued === undefined) begin();
    else queued.then(begin, () => undefined);
  }
  // rxjs runs it once the call ends, however it ends (after the subscriber heard a result or an error).
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    stopUploads?.();
    // Still pending: the subscriber left before the server answered.
    if (invocations.remove(invocationId)) context.withdraw(invocationId);
  };
}
