import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/common/access-tokens.js';
import { Http, withTokenRefresh } from '../../src/common/http.js';
import {
  AbortError,
  ConnectionNotFoundError,
  HttpError,
  TimeoutError,
  TransportError,
} from '../../src/errors.js';
import { VirtualClock } from '../support/virtual-clock.js';

function setup(respond: (token: string | null, count: number) => Response | Promise<Response>) {
  const clock = new VirtualClock();
  const requests: { url: string; headers: Headers; init: RequestInit }[] = [];
  const fetch = ((input: string | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    requests.push({ url: String(input), headers, init });
    const pending = Promise.resolve(respond(headers.get('Authorization'), requests.length));
    return new Promise<Response>((resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      pending.then(resolve, reject);
    });
  }) as typeof globalThis.fetch;
  let issued = 0;
  const calls: boolean[] = [];
  const tokens = new AccessTokens(({ forceRefresh }) => {
    calls.push(forceRefresh);
    return new Promise((resolve) => setTimeout(() => resolve(`t${++issued}`), 5));
  }, 'http://h/hub');
  const http = new Http(
    { fetch, headers: { 'X-App': '1' }, withCredentials: true, timeoutMs: 1000, clock },
    tokens,
  );
  return { clock, requests, tokens, calls, http };
}

describe('Http', () => {
  it('a 404 to a request naming a connection (id=) is a ConnectionNotFoundError; other 404s are HttpErrors', async () => {
    const { http } = setup(() => new Response('No Connection with that ID', { status: 404 }));
    const notFound = await http
      .send({ method: 'GET', url: 'http://h/hub?x=1&id=tok&_=1' })
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ConnectionNotFoundError);
    expect(notFound).toMatchObject({
      name: 'ConnectionNotFoundError',
      statusCode: 404,
      // The connection token is redacted, as in every message.
      message:
        'GET http://h/hub?x=1&id=***&_=1 answered 404: this server does not know the connection (is the load balancer sticky?)',
    });
    for (const url of ['http://h/hub/negotiate?negotiateVersion=1', 'http://h/hub?hubid=1']) {
      const other = await http.send({ method: 'POST', url }).catch((e: unknown) => e);
      expect(other).toMatchObject({ name: 'HttpError', statusCode: 404 });
    }
  });

  it('sends the token, X-Requested-With, custom headers, content type and credentials', async () => {
    const { http, tokens, requests } = setup(() => new Response('ok'));
    await tokens.acquire();
    await http.send({ method: 'POST', url: 'http://h/hub?id=1', body: 'x' });
    await http.send({ method: 'POST', url: 'http://h/hub?id=1', body: new Uint8Array([1]) });
    expect(Object.fromEntries(requests[0]!.headers)).toEqual({
      authorization: 'Bearer t1',
      'content-type': 'text/plain;charset=UTF-8',
      'x-app': '1',
      'x-requested-with': 'XMLHttpRequest',
    });
    expect(requests[1]!.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(requests[0]!.init.credentials).toBe('include');
  });

  it('after a 401 asks the factory once with forceRefresh and retries', async () => {
    const { http, tokens, calls } = setup(
      (token) =>
        new Response(token === 'Bearer t2' ? 'ok' : '', { status: token === 'Bearer t2' ? 200 : 401 }),
    );
    await tokens.acquire();
    expect((await http.send({ method: 'GET', url: 'http://h/x' })).body).toBe('ok');
    expect(calls).toEqual([false, true]);
  });

  it('concurrent 401s share one refresh', async () => {
    const { http, tokens, calls } = setup(
      (token) => new Response('', { status: token === 'Bearer t2' ? 200 : 401 }),
    );
    await tokens.acquire();
    await Promise.all([1, 2, 3].map(() => http.send({ method: 'GET', url: 'http://h/x' })));
    expect(calls).toEqual([false, true]);
  });

  it('a second 401 is an HttpError with the status', async () => {
    const { http, tokens } = setup(() => new Response('denied', { status: 401 }));
    await tokens.acquire();
    const error = await http
      .send({ method: 'GET', url: 'http://h/x?access_token=secret' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 401 });
    expect((error as Error).message).not.toContain('secret');
  });

  it('a redirect token is not refreshed', async () => {
    const { http, tokens, calls } = setup(() => new Response('', { status: 401 }));
    tokens.redirect = 'redirected';
    await expect(http.send({ method: 'GET', url: 'http://h/x' })).rejects.toBeInstanceOf(HttpError);
    expect(calls).toEqual([]);
  });

  it("a network failure (fetch's TypeError) is a TransportError with it as cause, the URL redacted", async () => {
    const failure = new TypeError('fetch failed');
    const { http } = setup(() => Promise.reject(failure));
    const error = await http
      .send({ method: 'POST', url: 'http://h/x?id=secret-token' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ message: 'POST http://h/x?id=*** failed: fetch failed', cause: failure });
  });

  it('times out with a TimeoutError, and aborts with an AbortError', async () => {
    const { http, clock } = setup(() => new Promise<Response>(() => undefined));
    const timedOut = http.send({ method: 'GET', url: 'http://h/x' }).catch((e: unknown) => e);
    await clock.advance(1000);
    const timeout = (await timedOut) as TimeoutError;
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout.timeoutMs).toBe(1000);
    // The cause is fetch's own failure once its request was aborted.
    expect(timeout.cause).toBeInstanceOf(Error);
    const controller = new AbortController();
    const aborted = http
      .send({ method: 'GET', url: 'http://h/x', signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();
    expect(await aborted).toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
  });
});

describe('withTokenRefresh', () => {
  const tokensWith = (factory?: () => string) => new AccessTokens(factory, 'http://h/hub');
  /** An attempt that always fails with `error`, counting its calls. */
  const failing = (error: Error) => {
    const attempt = () => {
      attempt.calls++;
      return Promise.reject(error);
    };
    attempt.calls = 0;
    return attempt;
  };

  it('after a 401 HttpError: refreshes once and attempts again', async () => {
    let issued = 0;
    const tokens = tokensWith(() => `t${++issued}`);
    await tokens.acquire();
    const seen: (string | undefined)[] = [];
    const result = await withTokenRefresh(tokens, () => {
      seen.push(tokens.current);
      return seen.length === 1
        ? Promise.reject(new HttpError('The WebSocket upgrade was answered with 401.', 401))
        : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['t1', 't2']);
  });

  it('anything else, a second 401, or a token it cannot refresh: the error as is', async () => {
    const tokens = tokensWith(() => 't');
    await tokens.acquire();
    const forbidden = failing(new HttpError('answered 403', 403));
    await expect(withTokenRefresh(tokens, forbidden)).rejects.toMatchObject({ statusCode: 403 });
    expect(forbidden.calls).toBe(1);

    const unauthorized = failing(new HttpError('answered 401', 401));
    await expect(withTokenRefresh(tokens, unauthorized)).rejects.toMatchObject({ statusCode: 401 });
    expect(unauthorized.calls).toBe(2);

    const unrefreshable = failing(new HttpError('answered 401', 401));
    await expect(withTokenRefresh(tokensWith(), unrefreshable)).rejects.toMatchObject({ statusCode: 401 });
    expect(unrefreshable.calls).toBe(1);
  });
});
