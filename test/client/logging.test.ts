// Logging, against the mock server on a port: without a `logger` nothing reaches the console, through a whole
// connection's life (start, calls, an abrupt drop, the automatic reconnect, stop), over every transport; with one,
// no line carries an access token, a connection token or a call's arguments, whatever happens (401 → refresh, a
// negotiate redirect with its own token, a failed Long Polling DELETE).
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessTokenContext, HubConnection, LogLevel, TransportName } from '@hubrx/core';
import { testPreset, type MockHubServer } from '@hubrx/mock-server';
import { client, recordStates, redirectingHub, requestObserver, startServer, status } from './helpers.js';

const transports: TransportName[] = ['webSockets', 'serverSentEvents', 'longPolling'];

/** An invocation argument no log line may show. */
const PAYLOAD = 'payload-c0ffee-that-must-not-be-logged';

/** Quick keep-alive and server timeout, so that a drop is noticed at once on every transport. */
const QUICK = { keepAliveIntervalMs: 100, serverTimeoutMs: 1000 } as const;

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * The test preset, plus `/gateway`, whose negotiate redirects to `/testhub` with an access token of its own, and
 * with every Long Polling DELETE refused (404, as ASP.NET Core answers for a connection it no longer has).
 */
async function server(): Promise<{ server: MockHubServer; redirectToken: () => string }> {
  const preset = testPreset();
  let redirectToken = '';
  const observer = requestObserver();
  const mock = await startServer({
    ...preset,
    hubs: {
      ...preset.hubs,
      '/gateway': redirectingHub(() => redirectToken),
    },
    middleware: [
      observer.middleware,
      async (request, next) =>
        request.method === 'DELETE' ? new Response('No Connection with that ID', { status: 404 }) : next(),
      ...(preset.middleware ?? []),
    ],
  });
  redirectToken = await mock.issueToken('redirected');
  return { server: mock, redirectToken: () => redirectToken };
}

const urlOf = (input: string | URL | Request) => (input instanceof Request ? input.url : input.toString());

/** Every secret the client was handed: factory tokens, and connection tokens from negotiate answers. */
function secrets(server: MockHubServer) {
  const issued: string[] = [];
  const connectionTokens: string[] = [];
  let n = 0;
  return {
    issued,
    connectionTokens,
    accessTokenFactory: async (context: AccessTokenContext) => {
      const token = await server.issueToken(`user-${++n}${context.forceRefresh ? '-refreshed' : ''}`);
      issued.push(token);
      return token;
    },
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (urlOf(input).includes('/negotiate') && response.ok) {
        const body = (await response.clone().json()) as { connectionToken?: string };
        if (body.connectionToken !== undefined) connectionTokens.push(body.connectionToken);
      }
      return response;
    },
  };
}

/** start → invoke → an abrupt drop → the automatic reconnect → invoke → stop. */
async function lifetime(mock: MockHubServer, connection: HubConnection): Promise<void> {
  const states = recordStates(connection);
  await connection.start();
  const first = connection.state.connectionId!;
  expect(await connection.invoke('Echo', PAYLOAD)).toBe(PAYLOAD);
  const from = states.states.length;
  mock.connection(first)!.drop();
  await states.next(status('reconnecting'), { from });
  const back = await states.next(status('connected'), { from });
  expect(back.connectionId).not.toBe(first);
  expect(await connection.invoke('Echo', PAYLOAD)).toBe(PAYLOAD);
  await connection.stop();
  expect(connection.state.status).toBe('disconnected');
}

describe('without a logger', () => {
  it.each(transports)(
    'nothing reaches the console, through a drop and a reconnect (%s)',
    async (transport) => {
      const methods = Object.keys(console).filter(
        (key) => typeof (console as unknown as Record<string, unknown>)[key] === 'function',
      ) as (keyof Console)[];
      const { server: mock } = await server();
      const spies = methods.map((method) => vi.spyOn(console, method));
      const auth = secrets(mock);
      const connection = client(`${mock.url}/testhub`, {
        transports: [transport],
        accessTokenFactory: auth.accessTokenFactory,
        ...QUICK,
      });
      await lifetime(mock, connection);

      expect(methods).toEqual(expect.arrayContaining(['log', 'info', 'warn', 'error', 'debug', 'trace']));
      const calls = spies.flatMap((spy, i) =>
        spy.mock.calls.map((args) => `${methods[i]!}: ${format(...args)}`),
      );
      expect(calls).toEqual([]);
    },
  );
});

describe('with a logger', () => {
  it.each(transports)(
    'no line carries a token, a connection token or an argument (%s)',
    async (transport) => {
      const { server: mock, redirectToken } = await server();
      const lines: { level: LogLevel; message: string }[] = [];
      const logger = { log: (level: LogLevel, message: string) => void lines.push({ level, message }) };
      const auth = secrets(mock);

      // 1. Straight to /testhub: a 401 on negotiate and one on the transport request (each refreshed), a drop, a
      //    reconnect, stop (Long Polling: the DELETE is refused).
      mock.faults.unauthorized(1);
      let negotiated = 0;
      const direct = client(`${mock.url}/testhub`, {
        transports: [transport],
        accessTokenFactory: auth.accessTokenFactory,
        fetch: async (input, init) => {
          const response = await auth.fetch(input, init);
          if (response.ok && urlOf(input).includes('/negotiate') && ++negotiated === 1) {
            mock.faults.unauthorized(1);
          }
          return response;
        },
        logger,
        ...QUICK,
      });
      await lifetime(mock, direct);

      // 2. Through /gateway: negotiate redirects with its own token, which the transport then uses.
      const redirected = client(`${mock.url}/gateway`, {
        transports: [transport],
        accessTokenFactory: auth.accessTokenFactory,
        fetch: auth.fetch,
        logger,
        ...QUICK,
      });
      await redirected.start();
      expect(await redirected.invoke('GetUserIdentifier')).toBe('redirected');
      expect(await redirected.invoke('Echo', PAYLOAD)).toBe(PAYLOAD);
      await redirected.stop();

      // The scenario happened: two refreshes, a reconnect, a redirect.
      expect(auth.issued).toHaveLength(5);
      expect(auth.connectionTokens.length).toBeGreaterThanOrEqual(3);
      const forbidden = [...auth.issued, redirectToken(), ...auth.connectionTokens, PAYLOAD];
      for (const secret of forbidden) {
        for (const line of lines) {
          expect(line.message).not.toContain(secret);
          expect(line.message).not.toContain(encodeURIComponent(secret));
        }
      }
      // Lines were written, at several levels, and the URLs in them are there, redacted.
      const text = lines.map((line) => `${line.level} ${line.message}`).join('\n');
      expect(text).toContain('info Connection lost');
      expect(text).toContain(`info Connected with ${transport}.`);
      if (transport === 'longPolling') {
        expect(text).toMatch(/debug Long Polling DELETE failed: DELETE \S+\?id=\*\*\* answered 404/);
      } else {
        expect(text).toMatch(/debug (WebSocket|Server-Sent Events) connecting to \S+\?id=\*\*\*/);
      }
      if (transport === 'serverSentEvents') expect(text).toContain('access_token=***');
    },
  );
});
