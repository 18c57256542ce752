// Shared by the Long Polling and Server-Sent Events transport tests: a scripted `fetch` whose requests stay
// pending until the test answers them, and the TransportContext a connection would hand its transports.
import { AccessTokens } from '../../src/client/access-tokens.js';
import { Http } from '../../src/client/http.js';
import type {
  EventSourceConstructor,
  TransportContext,
  TransportEvents,
} from '../../src/transports/transport.js';
import { VirtualClock } from '../support/virtual-clock.js';

export const HUB = 'http://hub.test/chat?id=tok';

/** One request the fake `fetch` received, pending until answered (or aborted by the client). */
export interface FakeRequest {
  readonly method: string;
  readonly url: string;
  readonly query: URLSearchParams;
  readonly body: string | Uint8Array | undefined;
  readonly headers: Headers;
  /** Set once answered or aborted. */
  readonly settled: boolean;
  readonly aborted: boolean;
  answer(status: number, body?: string | Uint8Array): void;
  /** Fails the request as `fetch` does when the network does (a `TypeError`). */
  fail(): void;
}

/** A `fetch` that records every request and lets the test answer each one when it wants. */
export function scriptedFetch(): {
  fetch: typeof globalThis.fetch;
  readonly requests: FakeRequest[];
  /** Requests not answered yet, optionally of one method. */
  pending: (method?: string) => FakeRequest[];
} {
  const requests: FakeRequest[] = [];
  const fetch = ((input: string | URL, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = String(input);
      const request = {
        method: init.method ?? 'GET',
        url,
        query: new URL(url).searchParams,
        body: init.body as string | Uint8Array | undefined,
        headers: new Headers(init.headers),
        settled: false,
        aborted: false,
        answer(status: number, body?: string | Uint8Array) {
          if (request.settled) throw new Error(`${request.method} ${url} was already settled`);
          request.settled = true;
          resolve(new Response(status === 204 ? null : ((body ?? '') as BodyInit), { status }));
        },
        fail() {
          request.settled = true;
          reject(new TypeError('fetch failed', { cause: new Error('read ECONNRESET') }));
        },
      };
      init.signal?.addEventListener('abort', () => {
        if (request.settled) return;
        request.settled = request.aborted = true;
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
      requests.push(request);
    })) as typeof globalThis.fetch;
  return {
    fetch,
    requests,
    pending: (method) => requests.filter((r) => !r.settled && (method === undefined || r.method === method)),
  };
}

/** The context a connection gives its built-in transports, over `fetch` and a virtual clock. */
export function transportContext(
  fetch: typeof globalThis.fetch,
  EventSource?: EventSourceConstructor,
): TransportContext & { readonly clock: VirtualClock } {
  const clock = new VirtualClock();
  const tokens = new AccessTokens(undefined, HUB);
  const settings = { fetch, headers: { 'X-App': '1' }, withCredentials: true, timeoutMs: 1000, clock };
  return {
    ...settings,
    http: new Http(settings, tokens),
    tokens,
    log: () => undefined,
    WebSocket: undefined,
    EventSource,
  };
}

/** TransportEvents that record what the transport reported. */
export function recordingEvents(): TransportEvents & {
  readonly received: (string | ArrayBuffer | Uint8Array)[];
  readonly closes: (Error | undefined)[];
} {
  const received: (string | ArrayBuffer | Uint8Array)[] = [];
  const closes: (Error | undefined)[] = [];
  return {
    received,
    closes,
    receive: (data) => void received.push(data),
    close: (error) => void closes.push(error),
  };
}
