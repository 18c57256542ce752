// 401 → token refresh: wherever the server answers 401 (negotiate, a WebSocket upgrade, a long poll, an SSE or
// long-polling send, the SSE stream), the factory is asked once more with `forceRefresh` and the request retried.
import { describe, expect, it } from 'vitest';
import type { AccessTokenContext } from '@hubrx/core';
import { testPreset, type MockHubServer } from '@hubrx/mock-server';
import { client, countingFetch, recordStates, requestObserver, signal, startServer } from './helpers.js';

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
