import { ConnectionNotFoundError, HttpError, TransportError } from '../errors.js';
import type { HeaderWebSocketConstructor, WebSocketLike } from '../transports/transport.js';
import { checkJar, cookieHeader, storeCookies, type CookieJarLike } from './cookies.js';

/** The part of a `ws` socket the adapter uses, beyond the browser API. */
interface WsSocket {
  on(event: 'message', listener: (data: Uint8Array, isBinary: boolean) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(
    event: 'upgrade',
    listener: (response: { headers: Record<string, string | string[] | undefined> }) => void,
  ): unknown;
  addEventListener(type: 'close', listener: (event: CloseEvent) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

type CloseEvent = Parameters<NonNullable<WebSocketLike['onclose']>>[0];

/** The `ws` package's `WebSocket` class, or a subclass of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WsWebSocketClass = new (...args: any[]) => WsSocket;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Options of {@link nodeWebSocket}. */
export interface NodeWebSocketOptions {
  /**
   * Send this jar's cookies on the upgrade and keep the cookies its answer sets: the same jar as
   * `cookieFetch(cookieJar)`, so that a sticky load balancer sends the WebSocket where negotiate went.
   */
  readonly cookieJar?: CookieJarLike;
}

/**
 * Adapts the `ws` package's `WebSocket` class for hubrx, to pass as the `WebSocket` option in Node:
 *
 * ```ts
 * import { nodeWebSocket } from '@hubrx/core/node';
 * import { WebSocket } from 'ws';
 *
 * createHubConnection({ url, WebSocket: nodeWebSocket(WebSocket) });
 * ```
 *
 * Its sockets send the token as the `Authorization` header, with the `headers` option, on the upgrade; report a
 * refused upgrade with its status (a 401 refreshes the token and retries); hand frames over without an event
 * object per frame, binary ones as `Uint8Array` views of what `ws` received (no copy); close with 1007 on a text
 * frame that is not UTF-8; and are terminated when the server does not answer a close in time. With a
 * `cookieJar` (tough-cookie's `CookieJar`, see `cookieFetch`), they send its cookies and keep those the upgrade sets.
 * A 404 to the upgrade of a negotiated connection is a `ConnectionNotFoundError`.
 */
export function nodeWebSocket(
  WebSocket: WsWebSocketClass,
  options: NodeWebSocketOptions = {},
): HeaderWebSocketConstructor {
  const prototype = (WebSocket as { prototype?: Partial<WsSocket> } | undefined)?.prototype;
  if (typeof prototype?.terminate !== 'function' || typeof prototype.on !== 'function') {
    throw new TypeError('nodeWebSocket() takes the `WebSocket` class of the `ws` package.');
  }
  const jar = options.cookieJar === undefined ? undefined : checkJar(options.cookieJar, 'nodeWebSocket()');
  // One adapter class per `ws` class (and cookie jar): options are often built per connection, and a fresh class
  // each time would give V8 new shapes (and cold inline caches) for every connection's socket.
  let byJar = adapters.get(WebSocket);
  if (byJar === undefined) adapters.set(WebSocket, (byJar = new WeakMap()));
  const key = jar ?? NO_JAR;
  let adapted = byJar.get(key);
  if (adapted === undefined) byJar.set(key, (adapted = adapt(WebSocket, jar)));
  return adapted;
}

const NO_JAR = {};
const adapters = new WeakMap<WsWebSocketClass, WeakMap<object, HeaderWebSocketConstructor>>();

function adapt(WebSocket: WsWebSocketClass, jar: CookieJarLike | undefined): HeaderWebSocketConstructor {
  return class NodeWebSocket extends WebSocket {
    static readonly sendsHeaders = true;
    #onmessage: WebSocketLike['onmessage'] = null;
    #onclose: WebSocketLike['onclose'] = null;
    /** Why the socket failed, from its last 'error' (before the upgrade completed, the reason it closes). */
    #error: Error | undefined;

    constructor(url: string, headers: Readonly<Record<string, string>>, token: string | undefined) {
      const sent: Record<string, string> = { ...headers };
      if (token !== undefined) sent.Authorization = `Bearer ${token}`;
      if (jar !== undefined) {
        const own = Object.keys(sent).find((name) => name.toLowerCase() === 'cookie');
        const cookie = cookieHeader(jar, url, own === undefined ? undefined : sent[own]);
        if (own !== undefined) delete sent[own];
        if (cookie !== undefined) sent.Cookie = cookie;
      }
      super(url, undefined, {
        headers: sent,
        // Text frames are validated once, by the fatal decoder below, rather than by `ws` and then decoded.
        skipUTF8Validation: true,
      });
      if (jar !== undefined) {
        this.on('upgrade', ({ headers: answer }) => {
          const setCookie = answer['set-cookie'];
          storeCookies(jar, url, setCookie === undefined ? [] : ([] as string[]).concat(setCookie));
        });
      }
      // One event object per socket, refilled for each frame.
      const event: { data: unknown } = { data: undefined };
      this.on('message', (data, isBinary) => {
        const listener = this.#onmessage;
        if (listener === null) return;
        if (isBinary) {
          event.data = data;
        } else {
          try {
            event.data = utf8.decode(data);
          } catch {
            // What `ws` does with invalid UTF-8 when it validates: close with 1007 (invalid frame payload data).
            return this.close(1007, 'Invalid UTF-8 in a text frame');
          }
        }
        listener(event);
        event.data = undefined;
      });
      // Always listened to: `ws` throws an 'error' nobody listens to (closing a connecting socket emits one).
      this.on('error', (error) => (this.#error = upgradeError(error, url)));
      this.addEventListener('close', ({ code, reason, wasClean }) =>
        this.#onclose?.({ code, reason, wasClean, error: this.#error }),
      );
    }

    get onmessage(): WebSocketLike['onmessage'] {
      return this.#onmessage;
    }
    set onmessage(listener: WebSocketLike['onmessage']) {
      this.#onmessage = listener;
    }
    get onclose(): WebSocketLike['onclose'] {
      return this.#onclose;
    }
    set onclose(listener: WebSocketLike['onclose']) {
      this.#onclose = listener;
    }
  } as unknown as HeaderWebSocketConstructor;
}

/**
 * `ws` reports a refused upgrade as `Unexpected server response: 401`: an `HttpError`, which hubrx acts on; a 404
 * to the upgrade of a negotiated connection (`id=`) is a `ConnectionNotFoundError`.
 */
function upgradeError(error: Error, url: string): Error | undefined {
  const { message } = error;
  if (message === '') return undefined;
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status === '404' && /[?&]id=/.test(url)) return new ConnectionNotFoundError('The WebSocket upgrade');
  if (status !== undefined) {
    return new HttpError(`The WebSocket upgrade was answered with ${status}.`, Number(status));
  }
  return new TransportError(`The WebSocket could not connect: ${message}`, {
    transport: 'webSockets',
    cause: error,
  });
}
