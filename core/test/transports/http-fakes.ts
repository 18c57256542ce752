// Shared by the Long Polling and Server-Sent Events transport tests: a scripted `fetch` whose requests stay
// pending until the test answers them, and the TransportContext a connection would hand its transports.
import { expect } from 'vitest';
import { AccessTokens } from '../../src/common/access-tokens.js';
import { Http } from '../../src/common/http.js';
import { SendQueue } from '../../src/transports/send-queue.js';
import type {
  EventSourceConstructor,
  Transport,
  TransportContext,
  TransportEvents,
} from '../../src/transports/transport.js';
import { flush } from '../support/virtual-clock.js';
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

/** A connected HTTP-sending transport (Long Polling, Server-Sent Events) and the fake `fetch` it sends through. */
interface Sending {
  readonly transport: Transport;
  readonly requests: FakeRequest[];
  pending: (method?: string) => FakeRequest[];
}

/**
 * Both transports send with one POST per frame: asserts the POST, then that a refused POST rejects with an
 * `HttpError` carrying `refusedStatus` and a lost one with a `TransportError` caused by fetch's `TypeError`.
 */
export async function expectPostSends({ transport, pending }: Sending, refusedStatus: number): Promise<void> {
  const sent = transport.send('a\x1e');
  await flush();
  const [post] = pending('POST');
  expect(post!.url).toBe(HUB);
  expect(post!.body).toBe('a\x1e');
  expect(post!.headers.get('Content-Type')).toBe('text/plain;charset=UTF-8');
  post!.answer(200);
  await sent;
  const failed = transport.send('b\x1e');
  await flush();
  pending('POST')[0]!.answer(refusedStatus);
  // A 404 to a request naming the connection (`id=`) is a ConnectionNotFoundError (its statusCode is 404 too).
  await expect(failed).rejects.toMatchObject({
    name: refusedStatus === 404 ? 'ConnectionNotFoundError' : 'HttpError',
    statusCode: refusedStatus,
  });
  const lost = transport.send('c\x1e');
  await flush();
  pending('POST')[0]!.fail();
  await expect(lost).rejects.toMatchObject({
    name: 'TransportError',
    message: expect.stringContaining('fetch failed'),
    cause: expect.any(TypeError),
  });
}

/** Behind the connection's send queue, sends made while a POST is in flight go out as ONE POST, in order. */
export async function expectCoalescedPosts({ transport, requests, pending }: Sending): Promise<void> {
  const failures: Error[] = [];
  const queue = new SendQueue(
    (data) => transport.send(data),
    (error) => failures.push(error),
  );
  queue.push('1\x1e');
  await flush();
  queue.push('2\x1e');
  queue.push('3\x1e');
  queue.push('4\x1e');
  await flush();
  const posts = () => requests.filter((r) => r.method === 'POST').map((r) => r.body);
  expect(posts()).toEqual(['1\x1e']);
  pending('POST')[0]!.answer(200);
  await flush();
  expect(posts()).toEqual(['1\x1e', '2\x1e3\x1e4\x1e']);
  const done = queue.sent();
  pending('POST')[0]!.answer(200);
  await done;
  expect(posts()).toHaveLength(2);
  expect(failures).toEqual([]);
}
