import { isObservable, Subscription, type Observable } from 'rxjs';
import { COMPLETION, STREAM_ITEM, type HubMessage } from '../protocol/messages.js';

/** A client-to-server stream argument: an Observable or an AsyncIterable. */
export type UploadSource = Observable<unknown> | AsyncIterable<unknown>;

/** Where uploads write, and how they learn to wait (stateful buffer full, or waiting to reattach). */
export interface UploadSink {
  /** Throws when the message cannot be sent; the upload then stops. */
  write(message: HubMessage): void;
  /** `undefined` when more can be written now, else a Promise of when. */
  ready(): Promise<void> | undefined;
}

function isUploadSource(value: unknown): value is UploadSource {
  if (typeof value !== 'object' || value === null) return false;
  return (
    isObservable(value) ||
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}

/** An invocation's arguments with every stream argument taken out, in order. */
export interface SplitArguments {
  readonly args: readonly unknown[];
  readonly streams: readonly UploadSource[];
  readonly streamIds: readonly string[];
}

/**
 * Takes every Observable or AsyncIterable argument out, adjacent ones included (the official client skips the
 * second of two adjacent streams), and gives each a stream id. Ids are taken before the invocation's own, as the
 * official client does. `undefined` when there is none to upload (the common call: nothing allocated).
 */
export function splitArguments(
  args: readonly unknown[],
  ids: { nextId(): string },
): SplitArguments | undefined {
  if (!args.some(isUploadSource)) return undefined;
  const plain: unknown[] = [];
  const streams: UploadSource[] = [];
  const streamIds: string[] = [];
  for (const arg of args) {
    if (isUploadSource(arg)) {
      streams.push(arg);
      streamIds.push(ids.nextId());
    } else {
      plain.push(arg);
    }
  }
  return { args: plain, streams, streamIds };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'Unknown error';
}

/**
 * Runs the uploads of one invocation: each item becomes a StreamItem, the end a Completion (with the error's
 * message if the source failed). AsyncIterables are pulled only as fast as the connection takes them. The
 * returned function stops them all (the invocation completed, or the connection closed); `onDone` runs once all
 * have ended by themselves.
 */
export function startUploads(
  streams: readonly UploadSource[],
  streamIds: readonly string[],
  sink: UploadSink,
  onDone?: () => void,
): () => void {
  let running = streams.length;
  const ended = () => {
    if (--running === 0) onDone?.();
  };
  const stops = streams.map((source, index) => {
    const invocationId = streamIds[index]!;
    return isObservable(source)
      ? uploadObservable(source, invocationId, sink, ended)
      : uploadIterable(source, invocationId, sink, ended);
  });
  return () => {
    for (const stop of stops) stop();
  };
}

function uploadObservable(
  source: Observable<unknown>,
  invocationId: string,
  sink: UploadSink,
  ended: () => void,
): () => void {
  // Created first: a write failing during a synchronous `subscribe` stops the upload before it returns.
  const subscription = new Subscription();
  const write = (message: HubMessage) => {
    if (subscription.closed) return;
    try {
      sink.write(message);
    } catch {
      subscription.unsubscribe();
    }
  };
  subscription.add(
    source.subscribe({
      next: (item) => write({ type: STREAM_ITEM, invocationId, item }),
      error: (error: unknown) => {
        write({ type: COMPLETION, invocationId, error: errorText(error) });
        ended();
      },
      complete: () => {
        write({ type: COMPLETION, invocationId });
        ended();
      },
    }),
  );
  return () => subscription.unsubscribe();
}

function uploadIterable(
  source: AsyncIterable<unknown>,
  invocationId: string,
  sink: UploadSink,
  ended: () => void,
): () => void {
  let stopped = false;
  const iterator = source[Symbol.asyncIterator]();
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  const run = async () => {
    for (;;) {
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        if (!stopped) sink.write({ type: COMPLETION, invocationId, error: errorText(error) });
        return;
      }
      if (stopped) return;
      if (result.done === true) {
        stopped = true;
        sink.write({ type: COMPLETION, invocationId });
        return;
      }
      sink.write({ type: STREAM_ITEM, invocationId, item: result.value });
      const ready = sink.ready();
      if (ready !== undefined) await ready;
      if (stopped) return;
    }
  };
  // A failed write means the connection went away: the invocation fails by itself; release the source.
  run().catch(stop).finally(ended);
  return stop;
}
