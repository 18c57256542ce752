import type { Observable, Subscription } from 'rxjs';
import { ConnectionClosedError, type ProtocolName } from '../errors.js';
import { CANCEL_INVOCATION, COMPLETION, INVOCATION, type HubMessage } from '../protocol/messages.js';
import { AccessTokens } from '../common/access-tokens.js';
import type { CallContext } from './call.js';
import { HubCall, HubStream } from './calls.js';
import { ClientMethods } from './client-methods.js';
import { Http } from '../common/http.js';
import { Invocations } from './invocations.js';
import { Lifecycle } from './lifecycle.js';
import type { InboundMessage } from './link.js';
import { createLog, type Log } from '../common/logger.js';
import { resolveOptions, type HubConnectionOptions } from './options.js';
import type { OutboxQueue } from './outbox.js';
import type { ConnectionState } from './state.js';
import type {
  ClientMethod,
  ClientResult,
  InvokableMethod,
  MethodArgs,
  MethodResult,
  StreamingMethod,
  StreamItem,
  UntypedHub,
} from './typed.js';
import { splitArguments, startUploads, type UploadSink } from './uploads.js';

/** Options of {@link HubConnection.start}. */
export interface StartOptions {
  /** Retry a failed first connection according to the `reconnect` policy, instead of failing at once. */
  readonly retry?: boolean;
}

/**
 * A connection to an ASP.NET Core SignalR hub, typed by the hub's server methods (`Server`) and the methods the
 * server calls on the client (`Client`). Create it with {@link createHubConnection}.
 *
 * @example
 * ```ts
 * interface ChatServer { Send(text: string): void; History(count: number): StreamResult<string> }
 * interface ChatClient { Message(user: string, text: string): void }
 *
 * const chat = createHubConnection<ChatServer, ChatClient>({ url: '/chat' });
 * chat.state$.subscribe((state) => console.log(state.status));
 * chat.on('Message').subscribe(([user, text]) => console.log(user, text));
 * await chat.start();
 * await chat.invoke('Send', 'hello');
 * ```
 */
export class HubConnection<Server extends object = UntypedHub, Client extends object = UntypedHub> {
  /** The connection's state: emits the current state on subscribe, then every change. */
  readonly state$: Observable<ConnectionState>;
  /** The hub URL. */
  readonly url: string;

  readonly #log: Log;
  readonly #lifecycle: Lifecycle;
  readonly #invocations: Invocations;
  readonly #methods: ClientMethods;
  readonly #outbox: OutboxQueue | undefined;
  /** Uploads started by `send()`, which no invocation owns. */
  readonly #orphanUploads = new Set<() => void>();
  readonly #uploadSink: UploadSink;
  readonly #calls: CallContext;

  constructor(options: HubConnectionOptions) {
    const resolved = resolveOptions(options);
    const log = (this.#log = createLog(resolved.logger));
    this.url = resolved.url;
    const tokens = new AccessTokens(resolved.accessTokenFactory, resolved.url);
    const http = new Http(resolved, tokens);
    const protocolName: ProtocolName = resolved.protocol.name === 'messagepack' ? 'messagepack' : 'json';
    this.#invocations = new Invocations(protocolName);
    this.#methods = new ClientMethods(log, (invocationId, outcome) =>
      this.#tryWrite({ type: COMPLETION, invocationId, ...outcome }),
    );
    this.#outbox = resolved.outbox?.createQueue();
    this.#uploadSink = {
      write: (message) => void this.#post(message)?.catch(() => undefined),
      ready: () => this.#lifecycle.link?.ready(),
    };
    this.#calls = {
      invocations: this.#invocations,
      clock: resolved.clock,
      uploads: this.#uploadSink,
      post: (message) => this.#post(message),
      withdraw: (invocationId) => {
        if (this.#outbox?.discard(invocationId) !== true) {
          this.#tryWrite({ type: CANCEL_INVOCATION, invocationId });
        }
      },
    };
    // One settings object serves every layer (each interface names the part it reads): the options with their
    // defaults, and the shared services.
    const shared = {
      ...resolved,
      http,
      tokens,
      log,
      statefulReconnect: resolved.stateful !== undefined,
      format: resolved.protocol.transferFormat,
      reattachWindowMs: resolved.stateful?.reattachWindowMs ?? 0,
    };
    this.#lifecycle = new Lifecycle(
      { ...shared, link: { ...shared, context: shared } },
      {
        deliver: (message) => this.#deliver(message),
        connected: (link) => this.#outbox?.flush((message) => link.write(message)),
        connectionLost: (error) => this.#connectionLost(error),
        closed: (error) => {
          this.#connectionLost(error);
          this.#outbox?.fail(error);
        },
      },
    );
    this.state$ = this.#lifecycle.state$;
  }

  /** The current state (the latest value of `state$`). */
  get state(): ConnectionState {
    return this.#lifecycle.state;
  }

  /**
   * Connects. Resolves once connected; rejects with why the connection could not be made (a `NegotiateError`,
   * a `TransportError` listing every transport tried, an `HttpError`...), or with an `AbortError` if `stop()` came
   * first. With `{ retry: true }` failed attempts are retried per the `reconnect` policy. While connecting or
   * connected, returns the same promise; while stopping, starts again once stopped.
   */
  start(options: StartOptions = {}): Promise<void> {
    return this.#lifecycle.start(options.retry ?? false);
  }

  /**
   * While waiting between reconnect attempts (or between retries of `start({ retry: true })`), tries at once: what
   * a "reconnect now" button calls. The attempt counts as the next one of the policy. Does nothing otherwise.
   *
   * @example
   * ```ts
   * button.onclick = () => connection.reconnectNow();
   * ```
   */
  reconnectNow(): void {
    this.#lifecycle.retryNow();
  }

  /**
   * Disconnects: aborts any connection attempt, sends Close, stops the transport and every timer, and fails
   * pending calls with a `ConnectionClosedError`. `on()` and `handle()` registrations stay for the next `start()`.
   */
  stop(): Promise<void> {
    return this.#lifecycle.stop();
  }

  /**
   * The calls of a server-to-client method, as argument tuples. Matching is case-insensitive; subscriptions
   * survive reconnects; unsubscribing removes the handler.
   *
   * @example
   * ```ts
   * connection.on('Message').subscribe(([user, text]) => render(user, text));
   * ```
   */
  on<K extends ClientMethod<Client>>(target: K): Observable<MethodArgs<Client, K>> {
    return this.#methods.on(target) as Observable<MethodArgs<Client, K>>;
  }

  /**
   * Answers a client-result call (`Clients.Client(id).InvokeAsync<T>(...)` on the server) with the handler's
   * value, Promise or Observable (its first value). A thrown error or rejection answers the server with an error.
   * One handler per method; unsubscribe to remove it.
   *
   * @example
   * ```ts
   * const registration = connection.handle('Confirm', (question) => window.confirm(question));
   * ```
   */
  handle<K extends ClientMethod<Client>>(
    target: K,
    handler: (...args: MethodArgs<Client, K>) => ClientResult<Client, K>,
  ): Subscription {
    return this.#methods.handle(target, handler);
  }

  /**
   * Invokes a server method: a cold Observable of its result (subscribing invokes; unsubscribing before the
   * result sends CancelInvocation), which can also be awaited. Observable or AsyncIterable arguments are uploaded
   * as client-to-server streams. Fails with a `HubError` carrying the server's message.
   *
   * @example
   * ```ts
   * const sum = await connection.invoke('Add', 1, 2);
   * const total = await connection.invoke('Sum', of(1, 2, 3)).with({ timeoutMs: 5000 });
   * ```
   */
  invoke<K extends InvokableMethod<Server>>(
    target: K,
    ...args: MethodArgs<Server, K>
  ): HubCall<MethodResult<Server, K>> {
    return new HubCall(this.#calls, target, args);
  }

  /**
   * Calls a streaming server method: a cold Observable of its items (subscribing sends StreamInvocation,
   * unsubscribing before the end sends CancelInvocation), also iterable with `for await`.
   *
   * @example
   * ```ts
   * connection.stream('Counter', 10, 100).pipe(take(3)).subscribe(console.log);
   * ```
   */
  stream<K extends StreamingMethod<Server>>(
    target: K,
    ...args: MethodArgs<Server, K>
  ): HubStream<StreamItem<Server, K>> {
    return new HubStream(this.#calls, target, args);
  }

  /**
   * Calls a server method without waiting for it to run (no result, no error from the server). Resolves once the
   * message was handed to the transport.
   *
   * @example
   * ```ts
   * await connection.send('Typing', true);
   * ```
   */
  async send<K extends InvokableMethod<Server>>(target: K, ...args: MethodArgs<Server, K>): Promise<void> {
    const split = splitArguments(args, this.#invocations);
    const queued = this.#post(
      split === undefined
        ? { type: INVOCATION, target, arguments: args }
        : { type: INVOCATION, target, arguments: split.args, streamIds: split.streamIds },
    );
    if (split !== undefined) {
      const begin = () => {
        // `onDone` may run before `startUploads` returns (synchronous sources).
        const upload: { stop?: () => void; ended?: boolean } = {};
        upload.stop = startUploads(split.streams, split.streamIds, this.#uploadSink, () => {
          upload.ended = true;
          if (upload.stop !== undefined) this.#orphanUploads.delete(upload.stop);
        });
        if (upload.ended !== true) this.#orphanUploads.add(upload.stop);
      };
      if (queued === undefined) begin();
      else queued.then(begin, () => undefined);
    }
    return queued ?? this.#lifecycle.link!.sent();
  }

  /**
   * Writes a message to the connection. `undefined`: written. A Promise: queued in the outbox until connected.
   * Throws a `ConnectionClosedError` when it can be neither, or a `ProtocolError` for unserializable arguments.
   */
  #post(message: HubMessage): Promise<void> | undefined {
    const link = this.#lifecycle.link;
    if (link?.writable === true) {
      link.write(message);
      return undefined;
    }
    const { status } = this.#lifecycle.state;
    if (this.#outbox !== undefined && (status === 'connecting' || status === 'reconnecting')) {
      return this.#outbox.push(message);
    }
    throw new ConnectionClosedError(
      `Cannot send while the connection is ${status}${status === 'disconnected' ? ': call start() first' : ''}.`,
      'invocationId' in message ? { invocationId: message.invocationId } : {},
    );
  }

  /** Writes if connected; otherwise the message is moot (a cancel, a client result for a lost connection). */
  #tryWrite(message: HubMessage): void {
    const link = this.#lifecycle.link;
    if (link?.writable !== true) return;
    try {
      link.write(message);
    } catch (error) {
      this.#log('warn', `Could not send a message of type ${message.type}: ${(error as Error).message}`);
    }
  }

  #deliver(message: InboundMessage): void {
    if (message.type === INVOCATION) this.#methods.dispatch(message);
    else this.#invocations.dispatch(message);
  }

  #connectionLost(error: Error): void {
    this.#invocations.failAll(error);
    for (const stop of [...this.#orphanUploads]) stop();
    this.#orphanUploads.clear();
  }
}

/**
 * Creates a connection to an ASP.NET Core SignalR hub. Nothing happens until `start()`.
 *
 * @example
 * ```ts
 * import { createHubConnection } from '@hubrx/core';
 *
 * const connection = createHubConnection<MyServer, MyClient>({
 *   url: 'https://example.com/hubs/chat',
 *   accessTokenFactory: ({ forceRefresh }) => auth.getToken({ forceRefresh }),
 * });
 * await connection.start();
 * ```
 */
export function createHubConnection<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  options: HubConnectionOptions,
): HubConnection<Server, Client> {
  return new HubConnection<Server, Client>(options);
}
