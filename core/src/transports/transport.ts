import { AbortError } from '../errors.js';
import type { AccessTokens } from '../common/access-tokens.js';
import type { Clock } from '../common/clock.js';
import type { Http } from '../common/http.js';
import type { Log } from '../common/logger.js';

/** The frames a transport carries: text (`string`) for JSON, bytes for MessagePack. */
export type TransferFormat = 'text' | 'binary';

/** What a transport reports to its connection. */
export interface TransportEvents {
  /**
   * A frame arrived (a WebSocket message, an SSE event, a long poll's body). Called synchronously from the
   * transport's own event, once per frame, never with an empty frame.
   */
  receive(data: string | ArrayBuffer | Uint8Array): void;
  /**
   * The transport ended without being asked to: `error` says why, `undefined` when the server ended it cleanly.
   * Never called after `stop()`.
   */
  close(error?: Error): void;
}

/**
 * A way of carrying SignalR frames between client and server. hubrx ships WebSockets, Server-Sent Events and
 * Long Polling; pass an object implementing this interface in `transports` to use your own. A transport object
 * is connected once per connection attempt and stopped after it, so it must support `connect` again after
 * `stop`.
 *
 * @example
 * ```ts
 * const loopback: Transport = {
 *   name: 'loopback',
 *   inherentKeepAlive: false,
 *   async connect(url, format, events) { ... },
 *   send(data) { ... },
 *   async stop() { ... },
 * };
 * createHubConnection({ url, transports: [loopback] });
 * ```
 */
export interface Transport {
  /** The name shown in `state.transport` and in errors. */
  readonly name: string;
  /**
   * `true` when the transport notices a dead peer by itself (long polling: every poll is a round trip), so the
   * connection sends no keep-alive pings and runs no server timeout.
   */
  readonly inherentKeepAlive: boolean;
  /**
   * Opens the transport to `url` (the hub URL, with `id=<connection token>` when negotiated). Resolves once
   * frames can be sent; rejects (an `HttpError` where the server's status is known) when it cannot connect, or
   * with an `AbortError` when `signal` aborts first.
   */
  connect(url: string, format: TransferFormat, events: TransportEvents, signal: AbortSignal): Promise<void>;
  /**
   * Hands a frame (one or several whole messages) to the transport: synchronously (`void`) where the transport
   * writes at once, or a Promise settled when the server took it (an HTTP POST). A failure means the frame was
   * not delivered; the connection treats it as lost.
   */
  send(data: string | Uint8Array): void | Promise<void>;
  /** Closes the transport; resolves when its socket or requests are gone. No `close` event follows. */
  stop(): Promise<void>;
}

/** What the built-in transports of one connection share. */
export interface TransportContext {
  readonly http: Http;
  readonly tokens: AccessTokens;
  readonly clock: Clock;
  readonly log: Log;
  readonly headers: Readonly<Record<string, string>>;
  readonly withCredentials: boolean;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly EventSource: EventSourceConstructor | undefined;
}

/**
 * The part of the WebSocket API hubrx uses: the browser's (and Node 22's) `WebSocket`, or a class made by
 * `nodeWebSocket()` from `@hubrx/core/node`.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  /**
   * `error`, which browsers never give: why the socket could not connect (`nodeWebSocket()`'s sockets give an
   * `HttpError` for a refused upgrade, whose 401 makes the transport refresh the token and retry).
   */
  onclose:
    | ((event: {
        readonly code: number;
        readonly reason: string;
        readonly wasClean: boolean;
        readonly error?: Error | undefined;
      }) => void)
    | null;
  /**
   * Drops the connection without the closing handshake, where the implementation can (`nodeWebSocket()`'s
   * sockets): called when the server has not answered `close()` in time.
   */
  terminate?(): void;
}

/**
 * A WebSocket class: the browser's (and Node 22's) global `WebSocket`, or a {@link HeaderWebSocketConstructor}.
 * Typed loosely so that every implementation's own declarations fit; hubrx uses the {@link WebSocketLike} part.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WebSocketConstructor = new (url: string, ...rest: any[]) => object;

/**
 * A WebSocket class that sends HTTP headers with its upgrade, marked by a static `sendsHeaders`:
 * `nodeWebSocket(WebSocket)` from `@hubrx/core/node` makes one from the `ws` package. hubrx constructs it with
 * the `headers` option and the token, which it sends as the `Authorization` header (browsers cannot send
 * headers: their token goes in the `access_token` query parameter).
 */
export interface HeaderWebSocketConstructor {
  readonly sendsHeaders: true;
  new (url: string, headers: Readonly<Record<string, string>>, token: string | undefined): WebSocketLike;
}

/** The part of the EventSource API hubrx uses: the browser's, or the `eventsource` package (v4). */
export interface EventSourceLike {
  readonly readyState: number;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: string }) => void) | null;
  onerror: ((event: { readonly code?: number; readonly message?: string }) => void) | null;
}

/** An EventSource class: the browser's, or the `eventsource` package's (v4, which honours the `fetch` init option). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventSourceConstructor = new (url: string, ...rest: any[]) => object;

/** Appends a query parameter to a URL that may already have a query. */
export function appendQuery(url: string, key: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

/** Sends a frame as an HTTP POST to the connection's URL: how Server-Sent Events and Long Polling send. */
export function post(http: Http, url: string, data: string | Uint8Array): Promise<void> {
  return http.send({ method: 'POST', url, body: data }).then(() => undefined);
}

/**
 * A transport's connecting, abortable: `start` opens, calls `resolve` or `reject` later (from the socket's
 * events), and returns how to undo it. If `signal` aborts first (or had), that runs, and once it is done the
 * promise rejects with an `AbortError` saying that connecting `what` was aborted.
 */
export function connecting(
  signal: AbortSignal,
  what: string,
  start: (resolve: () => void, reject: (error: Error) => void) => () => void | Promise<void>,
): Promise<void> {
  const aborted = () => new AbortError(`Connecting ${what} was aborted.`, { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const settle = () => signal.removeEventListener('abort', onAbort);
    const cancel = start(
      () => {
        settle();
        resolve();
      },
      (error) => {
        settle();
        reject(error);
      },
    );
    const onAbort = () => void Promise.resolve(cancel()).then(() => reject(aborted()));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
