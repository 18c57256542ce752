import { withTokenRefresh } from '../common/http.js';
import { HIDDEN_STATUS, TransportError } from '../errors.js';
import {
  appendQuery,
  connecting,
  type HeaderWebSocketConstructor,
  type TransferFormat,
  type Transport,
  type TransportContext,
  type TransportEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './transport.js';

const OPEN = 1;
const CLOSED = 3;
/** How long closing waits for the server's close frame before dropping the socket. */
const CLOSE_WAIT_MS = 2000;

const failure = (message: string) => new TransportError(message, { transport: 'webSockets' });

/**
 * The WebSockets transport. Browsers cannot send headers, so the token travels as the `access_token` query
 * parameter; a {@link HeaderWebSocketConstructor} (`nodeWebSocket()` in Node) sends it as the `Authorization`
 * header, with the `headers` option, and reports a 401 on the upgrade, which refreshes the token once and retries.
 */
export class WebSocketTransport implements Transport {
  readonly name = 'webSockets';
  readonly inherentKeepAlive = false;
  #socket: WebSocketLike | undefined;

  readonly #context: TransportContext;

  constructor(context: TransportContext) {
    // The `ws` class itself would work as a browser's does: slower, and without headers or a 401 refresh.
    const Socket = context.WebSocket as { prototype?: { terminate?: unknown } } | undefined;
    if (typeof Socket?.prototype?.terminate === 'function' && !sendsHeaders(context.WebSocket!)) {
      throw new TypeError(
        "Pass `nodeWebSocket(WebSocket)` from '@hubrx/core/node' as `WebSocket`, not the `ws` class itself.",
      );
    }
    this.#context = context;
  }

  connect(url: string, format: TransferFormat, events: TransportEvents, signal: AbortSignal): Promise<void> {
    return withTokenRefresh(this.#context.tokens, () => this.#open(url, format, events, signal));
  }

  send(data: string | Uint8Array): void {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== OPEN) throw failure('The WebSocket is not open.');
    socket.send(data);
  }

  stop(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    return socket === undefined ? Promise.resolve() : this.#close(socket, 1000);
  }

  #open(url: string, format: TransferFormat, events: TransportEvents, signal: AbortSignal): Promise<void> {
    const { WebSocket: Socket, tokens, headers, log } = this.#context;
    return connecting(signal, 'the WebSocket', (resolve, reject) => {
      const token = tokens.current;
      let target = url.replace(/^http/i, 'ws'); // http(s):// to ws(s)://
      let socket: WebSocketLike;
      if (sendsHeaders(Socket!)) {
        socket = new Socket(target, headers, token);
      } else {
        if (token !== undefined) target = appendQuery(target, 'access_token', token);
        socket = new Socket!(target) as WebSocketLike;
        if (format === 'binary') socket.binaryType = 'arraybuffer';
      }
      log('debug', `WebSocket connecting to ${target}.`);
      socket.onopen = () => {
        this.#socket = socket;
        socket.onmessage = (event) => events.receive(event.data as string | ArrayBuffer | Uint8Array);
        log('debug', 'WebSocket connected.');
        resolve();
      };
      socket.onclose = ({ code, reason, error }) => {
        if (this.#socket !== socket) {
          // Not connected (yet): connecting failed. (After stop(), a no-op: the promise has settled.)
          // A browser's WebSocket does not say why (nodeWebSocket's `error` does): name the likely cause.
          reject(
            error ??
              failure(
                `The WebSocket could not connect (close code ${code}${reason ? `: ${reason}` : ''}).${/[?&]id=/.test(url) ? HIDDEN_STATUS : ''}`,
              ),
          );
          return;
        }
        this.#socket = undefined;
        events.close(
          code === 1000
            ? undefined
            : failure(`The WebSocket closed with status code ${code} (${reason || 'no reason given'}).`),
        );
      };
      // Settled once the socket is really gone (or after a bound), so that stop() leaves no socket behind.
      return () => this.#close(socket);
    });
  }

  /** Closes `socket`: settles once it is closed, or after {@link CLOSE_WAIT_MS}, dropping it where it can be. */
  #close(socket: WebSocketLike, code?: number): Promise<void> {
    socket.onopen = socket.onmessage = null;
    if (socket.readyState === CLOSED) return Promise.resolve();
    const { clock } = this.#context;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        socket.terminate?.();
        resolve();
      }, CLOSE_WAIT_MS);
      socket.onclose = () => {
        clock.clearTimeout(timer);
        resolve();
      };
      socket.close(code);
    });
  }
}

/** A {@link HeaderWebSocketConstructor}, which takes the token and headers, rather than a browser's `WebSocket`. */
function sendsHeaders(Socket: WebSocketConstructor): Socket is HeaderWebSocketConstructor {
  return (Socket as Partial<HeaderWebSocketConstructor>).sendsHeaders === true;
}
