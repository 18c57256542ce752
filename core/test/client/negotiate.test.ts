import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/client/access-tokens.js';
import { Http } from '../../src/client/http.js';
import { connectUrl, negotiate, negotiateUrl } from '../../src/client/negotiate.js';
import { NegotiateError } from '../../src/errors.js';
import { VirtualClock } from '../support/virtual-clock.js';

interface Seen {
  readonly url: string;
  readonly authorization: string | null;
}

function setup(answer: (url: string, count: number) => Response, factory?: () => string) {
  const seen: Seen[] = [];
  const fetch = ((input: string | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    seen.push({ url, authorization: headers.get('Authorization') });
    return Promise.resolve(answer(url, seen.length));
  }) as typeof globalThis.fetch;
  const tokens = new AccessTokens(factory && (() => factory()), 'http://h/hub');
  const http = new Http(
    { fetch, headers: {}, withCredentials: false, timeoutMs: 1000, clock: new VirtualClock() },
    tokens,
  );
  return {
    seen,
    tokens,
    run: (url = 'http://h/hub', stateful = false) =>
      negotiate(http, tokens, url, stateful, new AbortController().signal),
  };
}

const v1 = (extra: object = {}) =>
  Response.json({
    negotiateVersion: 1,
    connectionId: 'id',
    connectionToken: 'token',
    availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
    ...extra,
  });

describe('negotiate URLs', () => {
  it('appends /negotiate and the version, keeping the hub query', () => {
    expect(negotiateUrl('http://h/hub?tenant=a', false)).toBe(
      'http://h/hub/negotiate?tenant=a&negotiateVersion=1',
    );
    expect(negotiateUrl('http://h/hub/', true)).toBe(
      'http://h/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true',
    );
    expect(negotiateUrl('http://h/hub?negotiateVersion=0', false)).toBe(
      'http://h/hub/negotiate?negotiateVersion=0',
    );
  });

  it('adds the connection token to the hub URL', () => {
    expect(connectUrl('http://h/hub?tenant=a', 'a+b/c')).toBe('http://h/hub?tenant=a&id=a%2Bb%2Fc');
    expect(connectUrl('http://h/hub', 't')).toBe('http://h/hub?id=t');
  });
});

describe('negotiate', () => {
  it('reads a v1 answer: the connection token is the transport id', async () => {
    const { run } = setup(() => v1());
    expect(await run()).toEqual({
      url: 'http://h/hub',
      connectionId: 'id',
      connectionToken: 'token',
      transports: [{ transport: 'webSockets', formats: ['Text', 'Binary'] }],
      statefulReconnect: false,
    });
  });

  it('falls back to the connection id for a v0 server, and skips unknown transports', async () => {
    const { run } = setup(() =>
      Response.json({
        connectionId: 'legacy',
        availableTransports: [
          { transport: 'Foo', transferFormats: ['Text'] },
          { transport: 'LongPolling', transferFormats: ['Text'] },
        ],
      }),
    );
    expect(await run()).toMatchObject({
      connectionToken: 'legacy',
      transports: [{ transport: 'longPolling', formats: ['Text'] }],
    });
  });

  it("follows redirects, using a redirect's token for the new URL only", async () => {
    const { run, seen } = setup(
      (_url, count) =>
        count === 1 ? Response.json({ url: 'http://other/hub?x=1', accessToken: 'redirect-token' }) : v1(),
      () => 'user-token',
    );
    const negotiation = await run();
    expect(negotiation.url).toBe('http://other/hub?x=1');
    expect(seen.map((s) => s.url)).toEqual([
      'http://h/hub/negotiate?negotiateVersion=1',
      'http://other/hub/negotiate?x=1&negotiateVersion=1',
    ]);
    expect(seen[1]!.authorization).toBe('Bearer redirect-token');
  });

  it('stops after 100 redirects', async () => {
    const { run, seen } = setup(() => Response.json({ url: 'http://h/hub' }));
    await expect(run()).rejects.toThrow(/more than 100 redirects/);
    expect(seen).toHaveLength(101);
  });

  it('reports an error answer, an old ASP.NET SignalR server, and an unasked stateful grant', async () => {
    await expect(setup(() => Response.json({ error: 'Nope.' })).run()).rejects.toThrow('Nope.');
    await expect(setup(() => Response.json({ ProtocolVersion: '1.5' })).run()).rejects.toThrow(
      /ASP.NET SignalR server/,
    );
    await expect(setup(() => v1({ useStatefulReconnect: true })).run()).rejects.toThrow(/did not ask for/);
    expect(await setup(() => v1({ useStatefulReconnect: true })).run('http://h/hub', true)).toMatchObject({
      statefulReconnect: true,
    });
  });

  it('a refusal is a NegotiateError with the status; 404 hints at the URL', async () => {
    const error = await setup(() => new Response('gone', { status: 404 }))
      .run()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NegotiateError);
    expect(error).toMatchObject({ statusCode: 404 });
    expect((error as Error).message).toMatch(/SignalR hub URL/);
    expect(((error as Error).cause as Error).name).toBe('HttpError');
  });

  it('a malformed answer is a NegotiateError', async () => {
    await expect(setup(() => new Response('<html>')).run()).rejects.toBeInstanceOf(NegotiateError);
    await expect(setup(() => Response.json({ connectionId: 1 })).run()).rejects.toThrow(
      /lacks a connection id/,
    );
  });
});
