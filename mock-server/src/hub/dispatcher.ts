import {
  MessageType,
  type HubMessage,
  type InvocationMessage,
  type StreamInvocationMessage,
} from '@hubrx/core';
import { HubException } from '../errors.js';
import { InvocationContext, type CallerContext } from './context.js';
import type { CompiledHub, CompiledMethod } from './define-hub.js';
import * as text from './error-messages.js';
import type { ConnectionEndpoint, HubLifetime } from './lifetime.js';
import { bindingError } from './binding.js';
import { isStreamable, pumpStream } from './stream-results.js';
import { UploadStream } from './upload-stream.js';
import type { MethodAuthorization } from './types.js';

/** What the dispatcher needs of its connection. */
export interface DispatchHost {
  readonly endpoint: ConnectionEndpoint;
  readonly context: CallerContext;
  readonly hub: CompiledHub;
  readonly lifetime: HubLifetime;
  readonly detailedErrors: boolean;
  readonly maximumParallelInvocations: number;
  readonly streamBufferCapacity: number;
  readonly strictArguments: boolean;
  send(message: HubMessage): void;
  /** Ends the connection with an error (Close with `Connection closed with an error.`). */
  closeWithError(error: unknown): void;
  /** The client's Close message was read: answer it and end the connection. */
  closeRequested(): void;
}

class KeyNotFound extends Error {
  override readonly name = 'KeyNotFoundException' as const;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

async function authorized(rule: MethodAuthorization, ctx: InvocationContext): Promise<boolean> {
  if (typeof rule === 'boolean') return !rule || ctx.user !== undefined;
  return rule(ctx);
}

/**
 * Runs a connection's hub messages as ASP.NET Core's `DefaultHubDispatcher` does: in order; at most
 * `maximumParallelInvocations` non-streaming invocations at a time (further messages wait, they are not
 * refused); streaming invocations outside that limit; uploads bounded, holding the connection back when full.
 */
export class HubDispatcher {
  private running = 0;
  private blocked = false;
  private waitingForSlot = false;
  private backlog: HubMessage[] = [];
  private backlogHead = 0;
  private closed = false;
  private readonly streams = new Map<string, AbortController>();
  private readonly uploads = new Map<string, UploadStream>();
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly host: DispatchHost) {}

  /** Messages held back (no free invocation slot, or a full upload stream). */
  get backlogSize(): number {
    return this.backlog.length - this.backlogHead;
  }

  dispatch(message: HubMessage): void {
    if (this.closed) return;
    if (this.blocked) this.backlog.push(message);
    else this.process(message);
  }

  /** The connection is gone: stop every method and stream, without sending anything. */
  close(): void {
    this.closed = true;
    this.backlog = [];
    this.backlogHead = 0;
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
    const closedError = new Error('The connection was closed.');
    for (const upload of this.uploads.values()) upload.end(closedError);
    this.uploads.clear();
  }

  private drain(): void {
    while (!this.blocked && !this.closed && this.backlogHead < this.backlog.length) {
      const message = this.backlog[this.backlogHead]!;
      this.backlog[this.backlogHead++] = undefined as never;
      this.process(message);
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog.length = 0;
      this.backlogHead = 0;
    }
  }

  private holdUntil(ready: Promise<void>): void {
    this.blocked = true;
    void ready.then(() => {
      this.blocked = false;
      this.drain();
    });
  }

  private process(message: HubMessage): void {
    switch (message.type) {
      // Read in order with the invocations, as ASP.NET Core's loop does: behind one waiting for a slot, the Close
      // waits too, and the invocations before it complete first.
      case MessageType.Close:
        return this.host.closeRequested();
      case MessageType.Invocation:
        return this.invoke(message, false);
      case MessageType.StreamInvocation:
        return this.invoke(message, true);
      case MessageType.StreamItem: {
        const upload = this.uploads.get(message.invocationId);
        if (upload === undefined) {
          // ASP.NET Core only logs an item for an unknown stream, except when its JSON reader meets `item` before
          // `invocationId` (it binds the item by the stream's type as it reads): then the lookup throws and the
          // connection closes.
          if (this.host.endpoint.protocol.name === 'json') {
            const keys = Object.keys(message);
            if (keys.indexOf('item') < keys.indexOf('invocationId')) {
              this.host.closeWithError(
                new KeyNotFound(`No stream with id '${message.invocationId}' could be found.`),
              );
            }
          }
          return;
        }
        const wait = upload.push(message.item);
        if (wait !== undefined) this.holdUntil(wait);
        return;
      }
      case MessageType.Completion: {
        const { invocationId, error } = message;
        if (this.host.lifetime.completeClientResult(this.host.endpoint, invocationId, error, message.result))
          return;
        const upload = this.uploads.get(invocationId);
        if (upload !== undefined) {
          this.uploads.delete(invocationId);
          upload.end(error === undefined ? undefined : new HubException(error));
        }
        return;
      }
      case MessageType.CancelInvocation: {
        // As ASP.NET Core: only streams are cancelled (their method's signal aborts, then an empty Completion);
        // a non-streaming invocation runs to its end, and an unknown id is ignored.
        const stream = this.streams.get(message.invocationId);
        if (stream === undefined) return;
        this.streams.delete(message.invocationId);
        stream.abort();
        this.host.send({ type: MessageType.Completion, invocationId: message.invocationId });
        return;
      }
      default:
        return;
    }
  }

  private fail(invocationId: string | undefined, error: string): void {
    // Non-blocking invocations (no id) get no answer, errors included.
    if (invocationId !== undefined) this.host.send({ type: MessageType.Completion, invocationId, error });
  }

  private invoke(message: InvocationMessage | StreamInvocationMessage, streaming: boolean): void {
    const target = message.target;
    // An empty id is no id (ASP.NET Core's string.IsNullOrEmpty): a non-blocking invocation.
    const invocationId = message.invocationId === '' ? undefined : message.invocationId;
    const method = this.host.hub.methods.get(target.toLowerCase());
    if (method === undefined) return this.fail(invocationId, text.methodDoesNotExist(target));
    // Errors about a known method quote its declared name, not the client's spelling.
    const name = method.name;
    if (streaming && method.streaming === false) {
      return this.fail(invocationId, text.nonStreamingWithStreamInvocation(name));
    }
    if (!streaming && method.streaming === true)
      return this.fail(invocationId, text.streamingWithInvocation(name));
    if (streaming && this.streams.has(invocationId!)) {
      // ASP.NET Core forgets the first stream's id when it refuses the duplicate: it can no longer be cancelled.
      this.streams.delete(invocationId!);
      return this.fail(invocationId, text.invocationIdInUse(invocationId!));
    }
    const streamIds = message.streamIds ?? [];
    // With declared (or, under strictArguments, implied) stream parameters, the stream count must match.
    const streamParameters = method.streamParameters ?? (this.host.strictArguments ? [] : undefined);
    if (streamParameters !== undefined && streamParameters.length !== streamIds.length) {
      return this.fail(
        invocationId,
        text.streamCountMismatch(name, streamIds.length, streamParameters.length),
      );
    }
    const provided = message.arguments.length;
    if (method.parameters !== undefined) {
      const expected = method.parameters.length;
      const detail =
        provided === expected
          ? bindingError(
              message.arguments,
              method.parameters,
              this.host.endpoint.protocol.transferFormat === 'binary',
            )
          : text.argumentCount(provided, expected);
      if (detail !== undefined)
        return this.fail(invocationId, text.bindingFailure(name, detail, this.host.detailedErrors));
    } else {
      // A function's `length` counts its parameters up to the first default or rest one: the required ones.
      const expected = Math.max(0, method.handler.length - 1) - streamIds.length;
      if (provided < expected || (this.host.strictArguments && provided !== expected)) {
        return this.fail(
          invocationId,
          text.bindingFailure(name, text.argumentCount(provided, expected), this.host.detailedErrors),
        );
      }
    }
    // Invocations that take uploads run outside the limit too (as ASP.NET Core's): they must go on reading their
    // StreamItems, which a wait for a slot would block.
    const limited = !streaming && streamIds.length === 0;
    if (limited && this.running >= this.host.maximumParallelInvocations) {
      // No free slot: this message and every later one wait until an invocation finishes.
      this.blocked = true;
      this.waitingForSlot = true;
      this.backlog.splice(this.backlogHead, 0, message);
      return;
    }
    const uploads = streamIds.map((id) => {
      const upload = new UploadStream(this.host.streamBufferCapacity);
      this.uploads.set(id, upload);
      return upload;
    });
    const args = [...message.arguments];
    if (streamParameters === undefined) args.push(...uploads);
    else streamParameters.forEach((position, i) => args.splice(position, 0, uploads[i]));

    const controller = new AbortController();
    this.controllers.add(controller);
    let released = !limited;
    const release = () => {
      if (released) return;
      released = true;
      this.running--;
      if (this.waitingForSlot && this.running < this.host.maximumParallelInvocations) {
        this.waitingForSlot = false;
        this.blocked = false;
        this.drain();
      }
    };
    if (streaming) this.streams.set(invocationId!, controller);
    if (limited) this.running++;
    const ctx = new InvocationContext(this.host.context, name, invocationId, controller.signal, release);
    void this.run(method, ctx, args, streaming, controller).finally(() => {
      if (!streaming) {
        this.controllers.delete(controller);
        release();
      }
    });
  }

  private async run(
    method: CompiledMethod,
    ctx: InvocationContext,
    args: unknown[],
    streaming: boolean,
    controller: AbortController,
  ): Promise<void> {
    const { target, invocationId } = ctx;
    const detailed = this.host.detailedErrors;
    try {
      if (method.authorize !== undefined && !(await authorized(method.authorize, ctx))) {
        this.streams.delete(invocationId!);
        return this.fail(invocationId, text.unauthorized(target));
      }
      let result = method.handler(ctx, ...args);
      if (!streaming) {
        if (isStreamable(result)) {
          // Learned only now that the method streams: refuse, and stop the stream it started.
          pumpStream(
            result,
            { item: () => undefined, complete: () => undefined, error: () => undefined },
            AbortSignal.abort(),
          );
          return this.fail(invocationId, text.streamingWithInvocation(target));
        }
        const value = isPromiseLike(result) ? await result : result;
        if (invocationId !== undefined && !this.closed) {
          // A void method answers `result: null`, as ASP.NET Core's do.
          this.host.send({
            type: MessageType.Completion,
            invocationId,
            result: value === undefined ? null : value,
          });
        }
        return;
      }
      if (isPromiseLike(result) && !isStreamable(result)) result = await result;
      if (!isStreamable(result)) {
        this.streams.delete(invocationId!);
        this.controllers.delete(controller);
        return this.fail(
          invocationId,
          method.streaming === undefined
            ? text.nonStreamingWithStreamInvocation(target)
            : text.notAStream(method.name),
        );
      }
      const id = invocationId!;
      const finish = () => {
        this.streams.delete(id);
        this.controllers.delete(controller);
      };
      pumpStream(
        result,
        {
          item: (item) => this.host.send({ type: MessageType.StreamItem, invocationId: id, item }),
          complete: () => {
            finish();
            this.host.send({ type: MessageType.Completion, invocationId: id });
          },
          error: (error) => {
            finish();
            this.host.send({
              type: MessageType.Completion,
              invocationId: id,
              error: text.streamFailed(error, detailed),
            });
          },
        },
        controller.signal,
      );
    } catch (error) {
      if (streaming) {
        this.streams.delete(invocationId!);
        this.controllers.delete(controller);
      }
      if (!this.closed) this.fail(invocationId, text.invocationFailed(target, error, detailed));
    }
  }
}
