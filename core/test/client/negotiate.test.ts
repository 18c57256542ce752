import { describe, expect, it, vi } from 'vitest';
import { AccessTokens } from '../../src/common/access-tokens.js';
import { Http } from '../../src/common/http.js';
import { connectUrl, negotiate, negotiateUrl } from '../../src/client/negotiate.js';
import { createHubConnection, type HubConnection } from '../../src/client/hub-connection.js';
import { NegotiateError, TransportError } from '../../src/errors.js';
import { jsonHubProtocol } from '../../src/protocol/json.js';
import { noReconnect } from '../../src/client/reconnect-policy.js';
import { FakeServer } from '../support/fake-server.js';
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
    expect(connectUrl('http://h/hub', null)).toBe('http://h/hub');
  });
});

describe('negotiate', () => {
  it('reads a v1 answer: the connection token is the transport id', async () => {
    const { run } = setup(() => v1());
    expect(await run()).toEqual({
      url: 'http://h/hub',
      connectionId: 'id',
      connectionToken: 'token',
      transports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
      statefulReconnect: false,
    });
  });

  it("falls back to the connection id for a v0 server; the transports are the server's list", async () => {
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
      transports: [
        { transport: 'Foo', transferFormats: ['Text'] },
        { transport: 'LongPolling', transferFormats: ['Text'] },
      ],
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

describe('connecting: which transport', () => {
  const offer = (availableTransports: unknown[]) =>
    (() =>
      Promise.resolve(
        Response.json({ negotiateVersion: 1, connectionId: 'c', connectionToken: 't', availableTransports }),
      )) as typeof fetch;
  const failure = (connection: HubConnection) =>
    connection.start().then(
      () => expect.unreachable('connected'),
      (error: unknown) => error as TransportError,
    );

  it("picks the server's WebSockets offer, ignoring unknown entries, and connects with the token", async () => {
    const server = new FakeServer();
    const connection = createHubConnection({
      url: 'http://hub.test/chat?x=1',
      transports: ['webSockets'],
      fetch: offer([
        null,
        'WebSockets',
        { transport: 'Foo' },
        { transport: 'WebSockets', transferFormats: ['Text'] },
      ]),
      WebSocket: server.WebSocket,
      clock: new VirtualClock(),
    });
    await connection.start();
    expect(server.socket.url).toBe('ws://hub.test/chat?x=1&id=t');
    expect(connection.state).toMatchObject({
      status: 'connected',
      connectionId: 'c',
      transport: 'webSockets',
    });
    await connection.stop();
  });

  it('says why each transport could not be tried: not offered, format, no implementation', async () => {
    vi.stubGlobal('WebSocket', undefined); // Node 22 has one
    const connection = createHubConnection({
      url: 'http://hub.test/chat',
      protocol: { ...jsonHubProtocol(), transferFormat: 'binary' },
      fetch: offer([
        { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
        { transport: 'LongPolling', transferFormats: ['Text'] },
      ]),
      clock: new VirtualClock(),
    });
    vi.unstubAllGlobals();
    const error = await failure(connection);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.attempts.map((attempt) => [attempt.transport, attempt.error.message])).toEqual([
      ['webSockets', expect.stringMatching(/no WebSocket: pass the `WebSocket` option/)],
      ['serverSentEvents', 'serverSentEvents is not offered by the server.'],
      ['longPolling', 'longPolling does not carry the Binary transfer format.'],
    ]);
    expect(error.message).toMatch(/^Unable to connect with any transport: webSockets: /);
  });

  it('skipNegotiation: a WebSocket straight to the hub URL, with no connection id', async () => {
    const server = new FakeServer();
    const connection = createHubConnection({
      url: 'http://hub.test/chat?x=1',
      transports: ['webSockets'],
      skipNegotiation: true,
      fetch: server.fetch,
      WebSocket: server.WebSocket,
      clock: new VirtualClock(),
    });
    await connection.start();
    expect(server.negotiations).toEqual([]);
    expect(server.socket.url).toBe('ws://hub.test/chat?x=1');
    expect(connection.state).toMatchObject({
      status: 'connected',
      connectionId: null,
      transport: 'webSockets',
    });
    await connection.stop();
  });

  it('skipNegotiation: WebSockets only, and a failure lists the attempt', async () => {
    const refused = new FakeServer({ refuse: () => true });
    const options = { url: 'http://hub.test/chat', skipNegotiation: true, clock: new VirtualClock() };
    const misconfigured = await failure(createHubConnection({ ...options, transports: ['longPolling'] }));
    expect(misconfigured).toBeInstanceOf(TransportError);
    expect(misconfigured.message).toMatch(/works with the WebSockets transport only/);
    const error = await failure(
      createHubConnection({ ...options, transports: ['webSockets'], WebSocket: refused.WebSocket }),
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error.attempts.map((attempt) => attempt.transport)).toEqual(['webSockets']);
    expect(error.message).toMatch(/^Unable to connect with any transport: webSockets: /);
    // No connection to be unknown to the server: no hint about one.
    expect(error.message).not.toMatch(/404/);
  });

  it("a browser's WebSocket refused right after negotiate: the message names the likely cause it cannot see", async () => {
    // A browser shows a refused upgrade as close code 1006, whatever the status (a 404 from another instance).
    const refused = new FakeServer({ refuse: () => true });
    const error = await failure(
      createHubConnection({
        url: 'http://hub.test/chat',
        transports: ['webSockets'],
        fetch: refused.fetch,
        WebSocket: refused.WebSocket,
        clock: new VirtualClock(),
      }),
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error.attempts[0]?.error).toBeInstanceOf(TransportError);
    expect(error.attempts[0]?.error.message).toBe(
      'The WebSocket could not connect (close code 1006). If its hidden status was 404, this server does not know ' +
        'the connection (is the load balancer sticky?)',
    );
  });
});

describe('negotiate: malformed answers', () => {
  // Every answer a broken server or proxy could send: start() fails with a typed error (or connects when the
  // answer is still usable), never with a TypeError from reading it.
  const garbage: unknown[] = [
    null,
    0,
    -1,
    'x',
    '',
    true,
    [],
    {},
    [null],
    ['WebSockets'],
    { transport: null },
  ];
  const valid = { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] };
  const answers: unknown[] = [
    null,
    42,
    'text',
    [],
    ...garbage.map((connectionId) => ({
      negotiateVersion: 1,
      connectionId,
      connectionToken: 't',
      availableTransports: [valid],
    })),
    ...garbage.map((connectionToken) => ({
      negotiateVersion: 1,
      connectionId: 'c',
      connectionToken,
      availableTransports: [valid],
    })),
    ...garbage.map((negotiateVersion) => ({
      negotiateVersion,
      connectionId: 'c',
      connectionToken: 't',
      availableTransports: [valid],
    })),
    ...garbage.map((availableTransports) => ({
      negotiateVersion: 1,
      connectionId: 'c',
      connectionToken: 't',
      availableTransports,
    })),
    ...garbage.map((entry) => ({
      negotiateVersion: 1,
      connectionId: 'c',
      connectionToken: 't',
      availableTransports: [entry],
    })),
    ...garbage.map((transferFormats) => ({
      negotiateVersion: 1,
      connectionId: 'c',
      connectionToken: 't',
      availableTransports: [{ transport: 'WebSockets', transferFormats }],
    })),
    ...garbage.map((url) => ({ url })),
    ...garbage.map((error) => ({ error })),
    ...garbage.map((useStatefulReconnect) => ({
      negotiateVersion: 1,
      connectionId: 'c',
      connectionToken: 't',
      availableTransports: [valid],
      useStatefulReconnect,
    })),
  ];

  it.each(answers.map((answer) => [JSON.stringify(answer), answer]))('%s', async (_, answer) => {
    const server = new FakeServer();
    const connection = createHubConnection({
      url: 'http://hub.test/chat',
      transports: ['webSockets'],
      fetch: () => Promise.resolve(Response.json(answer)),
      WebSocket: server.WebSocket,
      clock: new VirtualClock(),
      reconnect: noReconnect(),
    });
    const outcome = await connection.start().then(
      () => 'connected',
      (error: unknown) => error,
    );
    if (outcome !== 'connected') {
      expect(
        [NegotiateError, TransportError].some((type) => outcome instanceof type),
        String(outcome),
      ).toBe(true);
    }
    await connection.stop();
  });
});
