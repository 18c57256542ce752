import { withTokenRefresh } from '../common/http.js';
import { ConnectionNotFoundError, HIDDEN_STATUS, HttpError, TransportError } from '../errors.js';
import {
  appendQuery,
  connecting,
  post,
  type EventSourceLike,
  type TransferFormat,
  type Transport,
  type TransportContext,
  type TransportEvents,
} from './transport.js';

const failure = (message: string) => new TransportError(message, { transport: 'serverSentEvents' });

/**
 * The Server-Sent Events transport: frames arrive as `data:` events of an EventSource, sends are HTTP POSTs. Text
 * only. The token travels as the `access_token` query parameter (EventSource cannot send headers in browsers);
 * with `eventsource@4` in Node the `headers` option is sent too. A 401 on the stream, where visible
 * (`eventsource@4` reports the status), refreshes the token once and retries.
 */
export class ServerSentEventsTransport implements Transport {
  readonly name = 'serverSentEvents';
  readonly inherentKeepAlive = false;
  #source: EventSourceLike | undefined;
  #url = '';

  readonly #context: TransportContext;

  constructor(context: TransportContext) {
    this.#context = context;
  }

  connect(url: string, format: TransferFormat, events: TransportEvents, signal: AbortSignal): Promise<void> {
    if (format === 'binary') {
      return Promise.reject(
        failure('Server-Sent Events carry text only: use WebSockets or Long Polling for MessagePack.'),
      );
    }
    this.#url = url;
    return withTokenRefresh(this.#context.tokens, () => this.#open(events, signal));
  }

  send(data: string | Uint8Array): Promise<void> {
    if (this.#source === undefined) {
      return Promise.reject(failure('The Server-Sent Events transport is not connected.'));
    }
    return post(this.#context.http, this.#url, data);
  }

  stop(): Promise<void> {
    const source = this.#source;
    this.#source = undefined;
    if (source !== undefined) close(source);
    return Promise.resolve();
  }

  #open(events: TransportEvents, signal: AbortSignal): Promise<void> {
    const { EventSource: Source, tokens, headers, withCredentials, fetch, log } = this.#context;
    return connecting(signal, 'Server-Sent Events', (resolve, reject) => {
      const token = tokens.current;
      const url = token === undefined ? this.#url : appendQuery(this.#url, 'access_token', token);
      // Browsers ignore `fetch`; eventsource@4 uses it, which lets the custom headers through.
      const source = new Source!(url, {
        withCredentials,
        fetch: (input: string | URL, init?: RequestInit) =>
          fetch(input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string> | undefined), ...headers },
          }),
      }) as EventSourceLike;
      log('debug', `Server-Sent Events connecting to ${url}.`);
      source.onopen = () => {
        this.#source = source;
        // An event with an empty `data:` line is dispatched with '' (WHATWG); it carries no frame.
        source.onmessage = (event) => {
          if (event.data) events.receive(event.data);
        };
        source.onerror = () => {
          // EventSource would reconnect by itself; a SignalR stream cannot be resumed that way.
          if (this.#source !== source) return;
          void this.stop();
          events.close(failure('The Server-Sent Events stream was closed by the server or the network.'));
        };
        log('debug', 'Server-Sent Events connected.');
        resolve();
      };
      source.onerror = ({ code, message }) => {
        close(source);
        reject(
          code === 404
            ? new ConnectionNotFoundError('The Server-Sent Events request')
            : typeof code === 'number'
              ? new HttpError(`The Server-Sent Events request was answered with ${code}.`, code)
              : // A browser's EventSource says nothing (eventsource@4 gives a message): name the likely cause.
                failure(
                  `Server-Sent Events could not connect${message ? `: ${message}` : `.${HIDDEN_STATUS}`}`,
                ),
        );
      };
      return () => close(source);
    });
  }
}

function close(source: EventSourceLike): void {
  source.onopen = source.onmessage = source.onerror = null;
  source.close();
}
