import { TimeoutError, TransportError } from '../errors.js';
import type { HttpResponse } from '../common/http.js';
import {
  appendQuery,
  post,
  type TransferFormat,
  type Transport,
  type TransportContext,
  type TransportEvents,
} from './transport.js';

const failure = (message: string) => new TransportError(message, { transport: 'longPolling' });

/** A poll waits this long for the server, which answers an empty 200 after 90 s by default. */
const POLL_TIMEOUT_MS = 100_000;

/** Polls made by this page/process: with the time, makes each poll's `_=` unique even within a millisecond. */
let polls = 0;

/**
 * The Long Polling transport: `GET` polls (the first returns at once; an empty 200 means "poll again", 204 means
 * the server ended the connection), `POST` sends, `DELETE` on stop. Each poll carries a `_=` cache-buster. The
 * server notices a dead client by its missing polls, so no keep-alive pings are sent.
 */
export class LongPollingTransport implements Transport {
  readonly name = 'longPolling';
  readonly inherentKeepAlive = true;
  #url = '';
  #binary = false;
  #running = false;
  #poll: AbortController | undefined;
  #loop: Promise<void> | undefined;

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
    this.#url = url;
    this.#binary = format === 'binary';
    const first = await this.#get(signal);
    if (first.status === 204) {
      throw failure('The server ended the connection on the first poll.');
    }
    this.#running = true;
    if (first.body.length > 0) events.receive(first.body);
    this.#loop = this.#run(events);
  }

  send(data: string | Uint8Array): Promise<void> {
    if (!this.#running) return Promise.reject(failure('The Long Polling transport is not connected.'));
    return post(this.#context.http, this.#url, data);
  }

  async stop(): Promise<void> {
    if (!this.#running && this.#loop === undefined) return;
    this.#running = false;
    this.#poll?.abort();
    await this.#loop;
    this.#loop = undefined;
    try {
      await this.#context.http.send({ method: 'DELETE', url: this.#url });
    } catch (error) {
      // The server may already have ended the connection (404); nothing is lost either way.
      this.#context.log('debug', `Long Polling DELETE failed: ${(error as Error).message}`);
    }
  }

  #get(signal: AbortSignal): Promise<HttpResponse> {
    return this.#context.http.send({
      method: 'GET',
      url: appendQuery(this.#url, '_', `${Date.now()}-${++polls}`),
      binary: this.#binary,
      signal,
      timeoutMs: POLL_TIMEOUT_MS,
    });
  }

  async #run(events: TransportEvents): Promise<void> {
    while (this.#running) {
      const poll = (this.#poll = new AbortController());
      let response: HttpResponse;
      try {
        response = await this.#get(poll.signal);
      } catch (error) {
        if (!this.#running) return;
        if (error instanceof TimeoutError) continue;
        this.#running = false;
        events.close(error as Error);
        return;
      }
      if (!this.#running) return;
      if (response.status === 204) {
        this.#running = false;
        events.close();
        return;
      }
      if (response.body.length > 0) events.receive(response.body);
    }
  }
}
