import { AbortError, HttpError, TransportError } from '../errors.js';
import {
  appendQuery,
  toWebSocketUrl,
  type TransferFormat,
  type Transport,
  type TransportContext,
  type TransportEvents,
  type WebSocketLike,
} from './transport.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const OPEN = 1;
const CLOSED = 3;
/** How long `stop()` waits for the server's close frame before dropping the socket. */
const CLOSE_WAIT_MS = 2000;

/** The `ws` package's socket, where it offers more than the browser API. */
interface NodeWebSocket extends WebSocketLike {
  on(
    event: 'message',
    listener: (data: Uint8Array & { toString(): string }, isBinary: boolean) => void,
  ): void;
  terminate(): void;
}

/**
 * The WebSockets transport. The token travels as the `Authorization` header where the WebSocket implementation
 * can send headers (the `ws` package in Node), and as the `access_token` query parameter otherwise (browsers).
 * A 401 on the upgrade, where visible (Node), refreshes the token once and retries.
 */
export class WebSocketTransport implements Transport {
  readonly name = 'webSockets';
  readonly inherentKeepAlive = false;
  #socket: WebSocketLike | undefined;

  readonly #context: TransportContext;

  constructor(context: TransportContext) {
    this.#context = context;
  }

  async connect(
    url: string,
    format: TransferFormat,
    events: TransportEvents,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await this.#open(url, format, events, signal);
    } catch (error) {
      if (!(error instanceof HttpError) || error.statusCode !== 401 || !this.#context.tokens.refreshable)
        throw error;
      await this.#context.tokens.refresh();
      await this.#open(url, format, events, signal);
    }
  }

  send(data: string | Uint8Array): void {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== OPEN) {
      throw new TransportError('The WebSocket is not open.', { transport: 'webSockets' });
    }
    socket.send(data);
  }

  stop(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return Promise.resolve();
    socket.onmessage = socket.onopen = null;
    socket.onerror = () => undefined;
    if (socket.readyState === CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const { clock } = this.#context;
      const timer = clock.setTimeout(() => {
        (socket as Partial<NodeWebSocket>).terminate?.();
        resolve();
      }, CLOSE_WAIT_MS);
      socket.onclose = () => {
        clock.clearTimeout(timer);
        resolve();
      };
      socket.close(1000);
    });
  }

  #open(url: string, format: TransferFormat, events: TransportEvents, signal: AbortSignal): Promise<void> {
    const { WebSocket: Socket, tokens, headers, log } = this.#context;
    if (Socket === undefined)
      throw new TransportError('No WebSocket implementation.', { transport: 'webSockets' });
    if (signal.aborted)
      throw new AbortError('Connecting the WebSocket was aborted.', { cause: signal.reason });
    const token = tokens.current;
    // The `ws` package takes headers; browsers cannot send any, so the token goes in the query.
    const node = typeof (Socket.prototype as Partial<NodeWebSocket> | undefined)?.terminate === 'function';
    let target = toWebSocketUrl(url);
    let socket: WebSocketLike;
    if (node) {
      socket = new Socket(target, undefined, {
        headers: token === undefined ? { ...headers } : { ...headers, Authorization: `Bearer ${token}` },
        // Text frames are validated once, by the fatal decoder below, rather than by `ws` and then decoded.
        skipUTF8Validation: true,
      }) as WebSocketLike;
    } else {
      if (token !== undefined) target = appendQuery(target, 'access_token', token);
      socket = new Socket(target) as WebSocketLike;
    }
    // `ws` hands binary frames over as Buffers (Uint8Arrays) without a copy; browsers need 'arraybuffer'.
    if (format === 'binary' && !node) socket.binaryType = 'arraybuffer';
    log('debug', `WebSocket connecting to ${target}.`);

    return new Promise<void>((resolve, reject) => {
      let opened = false;
      let failure: Error | undefined;
      const onAbort = () => {
        // Settled once the socket is really gone (or after a bound), so that stop() leaves no socket behind. The
        // error handler stays: `ws` emits 'error' for a socket closed while connecting, fatal without a listener.
        const aborted = new AbortError('Connecting the WebSocket was aborted.', { cause: signal.reason });
        const timer = this.#context.clock.setTimeout(() => {
          (socket as Partial<NodeWebSocket>).terminate?.();
          reject(aborted);
        }, CLOSE_WAIT_MS);
        socket.onopen = null;
        socket.onerror = () => undefined;
        socket.onclose = () => {
          this.#context.clock.clearTimeout(timer);
          reject(aborted);
        };
        socket.close();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.onopen = () => {
        opened = true;
        signal.removeEventListener('abort', onAbort);
        this.#socket = socket;
        listen(socket, events);
        log('debug', 'WebSocket connected.');
        resolve();
      };
      socket.onerror = (event) => {
        failure = upgradeError(event);
      };
      socket.onclose = (event) => {
        if (!opened) {
          signal.removeEventListener('abort', onAbort);
          reject(
            failure ??
              new TransportError(
                `The WebSocket could not connect (close code ${event.code}${event.reason ? `: ${event.reason}` : ''}).`,
                { transport: 'webSockets' },
              ),
          );
          return;
        }
        if (this.#socket !== socket) return;
        this.#socket = undefined;
        events.close(
          event.code === 1000
            ? undefined
            : new TransportError(
                `The WebSocket closed with status code ${event.code} (${event.reason || 'no reason given'}).`,
                { transport: 'webSockets' },
              ),
        );
      };
    });
  }
}

function listen(socket: WebSocketLike, events: TransportEvents): void {
  const node = socket as Partial<NodeWebSocket>;
  if (typeof node.on === 'function' && typeof node.terminate === 'function') {
    // The `ws` package: its EventEmitter API spares an event object per frame.
    node.on('message', (data, isBinary) => {
      if (isBinary) return events.receive(data);
      let text: string;
      try {
        text = utf8.decode(data);
      } catch {
        // What `ws` does with invalid UTF-8 when it validates: close with 1007 (invalid frame payload data).
        return socket.close(1007, 'Invalid UTF-8 in a text frame');
      }
      events.receive(text);
    });
  } else {
    socket.onmessage = (event) => events.receive(event.data as string | ArrayBuffer);
  }
}

/** The `ws` package reports a refused upgrade as `Unexpected server response: 401`; browsers tell nothing. */
function upgradeError(event: unknown): Error | undefined {
  const message = (event as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || message === '') return undefined;
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status !== undefined) {
    return new HttpError(`The WebSocket upgrade was answered with ${status}.`, Number(status));
  }
  return new TransportError(`The WebSocket could not connect: ${message}`, {
    transport: 'webSockets',
    cause: (event as { error?: unknown }).error,
  });
}
