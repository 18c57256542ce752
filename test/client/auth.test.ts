// 401 → token refresh: wherever the server answers 401 (negotiate, a WebSocket upgrade, a long poll, an SSE or
// long-polling send, the SSE stream), the factory is asked once more with `forceRefresh` and the request retried.
import { describe, expect, it } from 'vitest';
import { statefulReconnect, type AccessTokenContext } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { testPreset, type MockHubServer } from '@hubrx/mock-server';
import {
  client,
  countingFetch,
  GuardedWebSocket,
  recordStates,
  redirectingHub,
  requestObserver,
  signal,
  startServer,
  status,
  type ObservedRequest,
} from './helpers.js';

/** Tokens the server accepts: `first` for ordinary calls, `refreshed-<n>` after each forced refresh. */
function tokens(server: MockHubServer, refreshDelayMs = 0) {
  const calls: AccessTokenContext[] = [];
  let refreshes = 0;
  const issued: string[] = [];
  const factory = async (context: AccessTokenContext) => {
    calls.push(context);
    if (context.forceRefresh && refreshDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
    }
    const token = await server.issueToken(context.forceRefresh ? `refreshed-${++refreshes}` : 'first');
    issued.push(token);
    return token;
  };
  return { factory, calls, issued, forced: () => calls.filter((c) => c.forceRefresh).length };
}

/** A test-preset server that records the HTTP requests it receives. */
async function observedServer(options: { longPollTimeoutMs?: number } = {}) {
  const observer = requestObserver();
  const preset = testPreset();
  const server = await startServer({
    ...preset,
    ...options,
    middleware: [observer.middleware, ...(preset.middleware ?? [])],
  });
  return { server, observer };
}

const isNegotiate = (input: string | URL | Request) =>
  new URL(input instanceof Request ? input.url : input).pathname.endsWith('/negotiate');

describe('401 → refresh', () => {
  it('on negotiate: one forced refresh, negotiate retried with the new token', async () => {
    const { server, observer } = await observedServer();
    const auth = tokens(server);
    const connection = client(`${server.url}/testhub`, { accessTokenFactory: auth.factory });
    server.faults.unauthorized(1);
    await connection.start();

    expect(auth.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
    expect(auth.calls[1]!.url).toBe(`${server.url}/testhub`);
    const negotiates = observer.requests.filter((r) => r.path.endsWith('/negotiate'));
    expect(negotiates.map((r) => r.status)).toEqual([401, 200]);
    expect(negotiates[1]!.authorization).toBe(`Bearer ${auth.issued[1]}`);
    expect(await connection.invoke('GetUserIdentifier')).toBe('refreshed-1');
  });

  it('on a WebSocket upgrade: refreshed, retried, and still on WebSockets', async () => {
    const { server } = await observedServer();
    const auth = tokens(server);
    // The 401 is armed once negotiate has answered, so that it meets the upgrade.
    const connection = client(`${server.url}/testhub`, {
      accessTokenFactory: auth.factory,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (isNegotiate(input)) server.faults.unauthorized(1);
        return response;
      },
    });
    await connection.start();

    expect(auth.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
    expect(connection.state.transport).toBe('webSockets');
    expect(await connection.invoke('GetActiveTransportName')).toBe('WebSockets');
    expect(await connection.invoke('GetUserIdentifier')).toBe('refreshed-1');
  });

  it('on the Server-Sent Events stream: refreshed, retried, and still on SSE', async () => {
    const { server, observer } = await observedServer();
    const auth = tokens(server);
    const connection = client(`${server.url}/testhub`, {
      transports: ['serverSentEvents'],
      accessTokenFactory: auth.factory,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (isNegotiate(input)) server.faults.unauthorized(1);
        return response;
      },
    });
    await connection.start();

    expect(auth.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
    const streams = observer.requests.filter((r) => r.method === 'GET');
    expect(streams.map((r) => r.status)).toEqual([401, 200]);
    expect(streams[1]!.query.get('access_token')).toBe(auth.issued[1]);
    expect(await connection.invoke('GetUserIdentifier')).toBe('refreshed-1');
  });

  it('on a long poll of a live connection: refreshed and polled again, the connection stays up', async () => {
    // Polls come back empty every 150 ms, so a new one is made while the test watches.
    const { server, observer } = await observedServer({ longPollTimeoutMs: 150 });
    const auth = tokens(server);
    const connection = client(`${server.url}/testhub`, {
      transports: ['longPolling'],
      accessTokenFactory: auth.factory,
    });
    const states = recordStates(connection);
    await connection.start();
    const from = states.states.length;
    // Once a poll is pending at the server, the next request to arrive is the next poll.
    const pending = observer.requests.length;
    await observer.arrived((r) => r.method === 'GET' && observer.requests.indexOf(r) >= pending);
    server.faults.unauthorized(1);

    const refused = await observer.answered((r) => r.method === 'GET' && r.status === 401);
    const index = observer.requests.indexOf(refused);
    const retried = await observer.answered(
      (r) => r.method === 'GET' && r.status === 200 && observer.requests.indexOf(r) > index,
    );
    expect(retried.authorization).toBe(`Bearer ${auth.issued[1]}`);
    expect(auth.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
    expect(await connection.invoke('Echo', 'still here')).toBe('still here');
    expect(states.statuses(from)).toEqual([]);
    expect(connection.state.status).toBe('connected');
  });

  it.each(['serverSentEvents', 'longPolling'] as const)(
    'on a send (%s): refreshed, the POST retried, the invocation completes',
    async (transport) => {
      const { server, observer } = await observedServer();
      const auth = tokens(server);
      const connection = client(`${server.url}/testhub`, {
        transports: [transport],
        accessTokenFactory: auth.factory,
      });
      const states = recordStates(connection);
      await connection.start();
      const from = states.states.length;
      if (transport === 'longPolling') {
        // Wait for the poll to be pending at the server, so that the 401 meets the send.
        const connected = observer.requests.filter((r) => r.method === 'GET').length;
        await observer.arrived(
          (r) =>
            r.method === 'GET' && observer.requests.filter((q) => q.method === 'GET').indexOf(r) >= connected,
        );
      }
      server.faults.unauthorized(1);

      expect(await connection.invoke('Echo', 'through')).toBe('through');
      const posts = observer.requests.filter((r) => r.method === 'POST');
      const refused = posts.findIndex((r) => r.status === 401);
      expect(refused).toBeGreaterThanOrEqual(0);
      expect(posts[refused + 1]?.status).toBe(200);
      expect(posts[refused + 1]?.authorization).toBe(`Bearer ${auth.issued[1]}`);
      expect(auth.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
      expect(states.statuses(from)).toEqual([]);
    },
  );

  it('concurrent 401s (a poll and a send) share one refresh', async () => {
    const { server, observer } = await observedServer({ longPollTimeoutMs: 100 });
    const auth = tokens(server, 30);
    // 401 answers are held until two have arrived, then released together: both requests need a new token at once.
    const refusals = signal();
    let refused = 0;
    const counting = countingFetch();
    const connection = client(`${server.url}/testhub`, {
      transports: ['longPolling'],
      accessTokenFactory: auth.factory,
      fetch: async (input, init) => {
        const response = await counting.fetch(input, init);
        if (response.status === 401) {
          if (++refused === 2) refusals.resolve();
          await Promise.race([refusals.promise, new Promise((resolve) => setTimeout(resolve, 3000))]);
        }
        return response;
      },
    });
    await connection.start();
    server.faults.unauthorized(2);
    const echo = connection.invoke('Echo', 'together');

    expect(await echo).toBe('together');
    expect(refused).toBe(2);
    const refusedRequests = observer.requests.filter((r) => r.status === 401);
    expect(refusedRequests.map((r) => r.method).sort()).toEqual(['GET', 'POST']);
    expect(auth.forced()).toBe(1);
    // Every request after the refusals carries the one refreshed token.
    const last = observer.requests.indexOf(refusedRequests[1]!);
    const after = observer.requests.slice(last + 1).filter((r) => r.method !== 'DELETE');
    expect(after.length).toBeGreaterThan(0);
    for (const request of after) expect(request.authorization).toBe(`Bearer ${auth.issued[1]}`);
  });
});

/** A factory handing out a fresh token per call, for users `user-1`, `user-2`... (`-refreshed` when forced). */
function freshTokens(server: MockHubServer) {
  const calls: AccessTokenContext[] = [];
  const issued: string[] = [];
  const factory = async (context: AccessTokenContext) => {
    calls.push(context);
    const token = await server.issueToken(`user-${calls.length}${context.forceRefresh ? '-refreshed' : ''}`);
    issued.push(token);
    return token;
  };
  return { factory, calls, issued };
}

/** The token a request carried: its bearer header, or its `access_token` query value. */
const tokenOf = (request: ObservedRequest) =>
  request.authorization?.replace(/^Bearer /, '') ?? request.query.get('access_token') ?? undefined;

/** Forces a reconnect: the server drops the connection, the client comes back with a new one. */
async function dropAndReconnect(server: MockHubServer, states: ReturnType<typeof recordStates>) {
  const from = states.states.length;
  const first = states.states[from - 1]!.connectionId!;
  server.connection(first)!.drop();
  await states.next(status('reconnecting'), { from });
  const back = await states.next(status('connected'), { from });
  expect(back.connectionId).not.toBe(first);
}

const transports = ['webSockets', 'serverSentEvents', 'longPolling'] as const;

describe('the token factory, per connection attempt', () => {
  it.each(transports)(
    'is asked once per connect, reconnects included; the server sees each new token (%s)',
    async (transport) => {
      const { server, observer } = await observedServer();
      const auth = freshTokens(server);
      const url = `${server.url}/testhub`;
      const connection = client(url, { transports: [transport], accessTokenFactory: auth.factory });
      const states = recordStates(connection);
      await connection.start();
      expect(await connection.invoke('GetUserIdentifier')).toBe('user-1');

      await dropAndReconnect(server, states);
      expect(await connection.invoke('GetUserIdentifier')).toBe('user-2');

      expect(auth.calls).toEqual([
        { forceRefresh: false, url },
        { forceRefresh: false, url },
      ]);
      expect(auth.issued[0]).not.toBe(auth.issued[1]);
      const negotiates = observer.requests.filter((r) => r.path.endsWith('/negotiate'));
      expect(negotiates.map(tokenOf)).toEqual(auth.issued);
      // Every transport request after the second negotiate (SSE stream, polls, sends) carries the new token.
      const after = observer.requests.slice(observer.requests.indexOf(negotiates[1]!) + 1);
      if (transport !== 'webSockets') expect(after.length).toBeGreaterThan(0);
      for (const request of after) expect(tokenOf(request)).toBe(auth.issued[1]);
    },
  );
});

/** The test preset plus `/gateway`, whose negotiate redirects to `/testhub` with a token for user `redirected`. */
async function gatewayServer() {
  const observer = requestObserver();
  const preset = testPreset();
  let redirectToken = '';
  const server = await startServer({
    ...preset,
    hubs: {
      ...preset.hubs,
      '/gateway': redirectingHub(() => redirectToken),
    },
    middleware: [observer.middleware, ...(preset.middleware ?? [])],
  });
  redirectToken = await server.issueToken('redirected');
  const where = (prefix: string) => observer.requests.filter((r) => r.path.startsWith(prefix));
  return { server, observer, redirectToken, gateway: () => where('/gateway'), hub: () => where('/testhub') };
}

/** `nodeWebSocket()` sockets that record the token each was opened with (upgrades do not reach middleware). */
function recordingWebSocket() {
  const tokens: (string | undefined)[] = [];
  const Base = nodeWebSocket(GuardedWebSocket);
  class Recording extends Base {
    constructor(url: string, headers: Readonly<Record<string, string>>, token: string | undefined) {
      super(url, headers, token);
      tokens.push(token);
    }
  }
  return { WebSocket: Recording, tokens };
}

describe('a negotiate redirect with an access token', () => {
  it.each(transports)(
    'is used for the redirected negotiate and transport only; a reconnect starts over with the factory (%s)',
    async (transport) => {
      const { server, redirectToken, gateway, hub } = await gatewayServer();
      const auth = freshTokens(server);
      const sockets = recordingWebSocket();
      const connection = client(`${server.url}/gateway`, {
        transports: [transport],
        accessTokenFactory: auth.factory,
        WebSocket: sockets.WebSocket,
      });
      const states = recordStates(connection);
      await connection.start();
      // The transport request carried the redirect's token: the server took the caller for its user.
      expect(await connection.invoke('GetUserIdentifier')).toBe('redirected');

      await dropAndReconnect(server, states);
      expect(await connection.invoke('GetUserIdentifier')).toBe('redirected');

      // Each attempt started at /gateway with a new token from the factory...
      expect(auth.calls.map((c) => c.forceRefresh)).toEqual([false, false]);
      expect(gateway().map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /gateway/negotiate',
        'POST /gateway/negotiate',
      ]);
      expect(gateway().map(tokenOf)).toEqual(auth.issued);
      // ...and everything at the redirected URL carried the redirect's token.
      const redirected = hub();
      expect(redirected.filter((r) => r.path.endsWith('/negotiate'))).toHaveLength(2);
      if (transport !== 'webSockets') expect(redirected.length).toBeGreaterThan(2);
      for (const request of redirected) expect(tokenOf(request)).toBe(redirectToken);
      expect(sockets.tokens).toEqual(transport === 'webSockets' ? [redirectToken, redirectToken] : []);
    },
  );

  it('a transport fallback negotiates at the original URL with the factory token again, not the redirect one', async () => {
    const { server, redirectToken, gateway, hub } = await gatewayServer();
    const auth = freshTokens(server);
    const connection = client(`${server.url}/gateway`, {
      transports: ['webSockets', 'longPolling'],
      accessTokenFactory: auth.factory,
      WebSocket: function () {
        throw new Error('no WebSockets here');
      } as never,
    });
    await connection.start();
    expect(connection.state.transport).toBe('longPolling');
    expect(await connection.invoke('GetUserIdentifier')).toBe('redirected');

    expect(gateway().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /gateway/negotiate',
      'POST /gateway/negotiate',
    ]);
    expect(gateway().map(tokenOf)).toEqual([auth.issued[0], auth.issued[0]]);
    for (const request of hub()) expect(tokenOf(request)).toBe(redirectToken);
  });

  it('a stateful reattach to the redirected URL keeps the redirect token', async () => {
    const { server, redirectToken, gateway } = await gatewayServer();
    const auth = freshTokens(server);
    const sockets = recordingWebSocket();
    const connection = client(`${server.url}/gateway`, {
      transports: ['webSockets'],
      accessTokenFactory: auth.factory,
      WebSocket: sockets.WebSocket,
      statefulReconnect: statefulReconnect(),
    });
    const states = recordStates(connection);
    await connection.start();
    const id = connection.state.connectionId!;
    const from = states.states.length;
    server.connection(id)!.drop();
    await states.next(status('reconnecting'), { from });
    const back = await states.next(status('connected'), { from });
    // Resumed: the same connection, reached again through a second WebSocket.
    expect(back.connectionId).toBe(id);
    expect(await connection.invoke('GetCallerConnectionId')).toBe(id);
    expect(gateway()).toHaveLength(1);
    expect(sockets.tokens).toEqual([redirectToken, redirectToken]);
  });
});
