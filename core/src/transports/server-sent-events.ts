import { AbortError, HttpError, TransportError } from '../errors.js';
import {
  appendQuery,
  type EventSourceLike,
  type TransferFormat,
  type Transport,
  type TransportContext,
  type TransportEvents,
} from './transport.js';

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

  async connect(
    url: string,
    format: TransferFormat,
    events: TransportEvents,
    signal: AbortSignal,
  ): Promise<void> {
    if (format === 'binary') {
      throw new TransportError(
        'Server-Sent Events carry text only: use WebSockets or Long Polling for MessagePack.',
        {
          transport: 'serverSentEvents',
        },
      );
    }
    this.#url = url;
    try {
      await this.#open(events, signal);
    } catch (error) {
      if (!(error instanceof HttpError) || error.statusCode !== 401 || !this.#context.tokens.refreshable)
        throw error;
      await this.#context.tokens.refresh();
      await this.#open(events, signal);
    }
  }

  send(data: string | Uint8Array): Promise<void> {
    if (this.#source === undefined) {
      return Promise.reject(
        new TransportError('The Server-Sent Events transport is not connected.', {
          transport: 'serverSentEvents',
        }),
      );
    }
    return this.#context.http.send({ method: 'POST', url: this.#url, body: data }).then(() => undefined);
  }

  stop(): Promise<void> {
    const source = this.#source;
    this.#source = undefined;
    if (source !== undefined) {
      source.onopen = source.onmessage = source.onerror = null;
      source.close();
    }
    return Promise.resolve();
  }

  #open(events: TransportEvents, signal: AbortSignal): Promise<void> {
    const { EventSource: Source, tokens, headers, withCredentials, fetch, log } = this.#context;
    if (Source === undefined) {
      throw new TransportError('No EventSource implementation.', { transport: 'serverSentEvents' });
    }
    if (signal.aborted)
      throw new AbortError('Connecting Server-Sent Events was aborted.', { cause: signal.reason });
    const token = tokens.current;
    const url = token === undefined ? this.#url : appendQuery(this.#url, 'access_token', token);
    // Browsers ignore `fetch`; eventsource@4 uses it, which lets the custom headers through.
    const source = new Source(url, {
      withCredentials,
      fetch: (input: string | URL, init?: RequestInit) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string> | undefined), ...headers },
        }),
    }) as EventSourceLike;
    log('debug', `Server-Sent Events connecting to ${url}.`);

    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        source.onopen = source.onerror = null;
        source.close();
        reject(new AbortError('Connecting Server-Sent Events was aborted.', { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      source.onopen = () => {
        signal.removeEventListener('abort', onAbort);
        this.#source = source;
        source.onmessage = (event) => events.receive(event.data);
        source.onerror = () => {
          // EventSource would reconnect by itself; a SignalR stream cannot be resumed that way.
          if (this.#source !== source) return;
          void this.stop();
          events.close(
            new TransportError('The Server-Sent Events stream was closed by the server or the network.', {
              transport: 'serverSentEvents',
            }),
          );
        };
        log('debug', 'Server-Sent Events connected.');
        resolve();
      };
      source.onerror = (event) => {
        signal.removeEventListener('abort', onAbort);
        source.onopen = source.onerror = null;
        source.close();
        const status = event.code;
        reject(
          typeof status === 'number'
            ? new HttpError(`The Server-Sent Events request was answered with ${status}.`, status)
            : new TransportError(
                `Server-Sent Events could not connect${event.message ? `: ${event.message}` : '.'}`,
                {
                  transport: 'serverSentEvents',
                },
              ),
        );
      };
    });
  }
}
