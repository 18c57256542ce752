// The hubrx client connecting, on every target: state$ through start and stop, negotiate redirects (and reconnects
// after one), transport fallback, skipNegotiation, and negotiate failures.

import { AbortError, ConnectionClosedError, fixedDelays, NegotiateError, TransportError } from '@hubrx/core';
import type { HubConnection } from '@hubrx/core';
import { describe, expect, it } from 'vitest';

import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  clientProtocol,
  countingTokenFactory,
  failure,
  reconnectAfterServerClose,
  recordStates,
  settle,
  trackedConnections,
} from '../support/client-helpers.js';
import { uniqueName } from '../support/functional-helpers.js';
import { describeEachTarget } from '../support/targets.js';

describeEachTarget('hubrx client: connecting', (server) => {
  const create = trackedConnections();
  const testhubUrl = `${server.url}/testhub`;
  const redirectUrl = `${server.url}/redirect?baseUrl=${encodeURIComponent(server.url)}`;

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      function connection(url: string = testhubUrl): HubConnection {
        return create(url, caseOptions(each));
      }

      it('state$: disconnected → connecting → connected → disconnecting → disconnected', async () => {
        const hub = connection();
        const states = recordStates(hub);
        expect(hub.state).toEqual({
          status: 'disconnected',
          connectionId: null,
          transport: null,
          attempt: 0,
          nextRetryInMs: null,
          nextRetryAt: null,
          lastError: null,
        });
        await settle(hub.start(), 'start');
        const connected = hub.state;
        expect(connected).toMatchObject({
          status: 'connected',
          connectionId: expect.any(String),
          transport: each.transport,
          attempt: 0,
          nextRetryInMs: null,
          nextRetryAt: null,
          lastError: null,
        });
        expect(await settle(hub.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toBe(
          connected.connectionId,
        );
        await settle(hub.stop(), 'stop');
        expect(states.statuses()).toEqual([
          'disconnected',
          'connecting',
          'connected',
          'disconnecting',
          'disconnected',
        ]);
        expect(states.states[3]).toMatchObject({ connectionId: connected.connectionId });
        expect(hub.state).toEqual({
          status: 'disconnected',
          connectionId: null,
          transport: null,
          attempt: 0,
          nextRetryInMs: null,
          nextRetryAt: null,
          lastError: null,
        });
        states.stop();
      });

      it('start() while connecting or connected returns the same promise; stop() twice is harmless', async () => {
        const hub = connection();
        const states = recordStates(hub);
        const first = hub.start();
        const second = hub.start();
        await settle(Promise.all([first, second]), 'start');
        await settle(hub.start(), 'start while connected');
        await settle(Promise.all([hub.stop(), hub.stop()]), 'stop');
        await settle(hub.stop(), 'stop while disconnected');
        expect(states.statuses()).toEqual([
          'disconnected',
          'connecting',
          'connected',
          'disconnecting',
          'disconnected',
        ]);
      });

      it('restarts with a new connection id; on() subscriptions survive the restart', async () => {
        const hub = connection();
        const messages: unknown[] = [];
        hub.on('Message').subscribe(([message]) => messages.push(message));
        await settle(hub.start(), 'start');
        const first = hub.state.connectionId;
        await settle(hub.invoke('InvokeWithString', 'one'), 'InvokeWithString');
        await settle(hub.stop(), 'stop');
        await settle(hub.start(), 'restart');
        expect(hub.state.connectionId).toEqual(expect.any(String));
        expect(hub.state.connectionId).not.toBe(first);
        await settle(hub.invoke('InvokeWithString', 'two'), 'InvokeWithString');
        expect(messages).toEqual(['one', 'two']);
      });

      it('stop() fails pending invocations and streams with ConnectionClosedError', async () => {
        const hub = connection();
        await settle(hub.start(), 'start');
        const invocation = failure(hub.invoke('Delay', 10_000).then(), 'the pending Delay');
        const stream = failure(
          new Promise((resolve, reject) =>
            hub.stream('InfiniteStream').subscribe({ complete: () => resolve(undefined), error: reject }),
          ),
          'the pending stream',
        );
        // Let the invocations reach the connection before stopping.
        expect(await settle(hub.invoke('Echo', 'sync'), 'Echo')).toBe('sync');
        await settle(hub.stop(), 'stop');
        for (const error of [await invocation, await stream]) {
          expect(error).toBeInstanceOf(ConnectionClosedError);
        }
      });

      it('calls made while disconnected fail at once with ConnectionClosedError', async () => {
        const hub = connection();
        const error = await failure(hub.invoke('Echo', 'x'), 'Echo');
        expect(error).toBeInstanceOf(ConnectionClosedError);
        await expect(hub.send('Echo', 'x')).rejects.toBeInstanceOf(ConnectionClosedError);
      });

      it('follows a negotiate redirect (/redirect?baseUrl=...): GetNumRedirects > 0, and counts up per connection', async () => {
        const hub = connection(redirectUrl);
        await settle(hub.start(), 'start');
        const redirects = (await settle(hub.invoke('GetNumRedirects'), 'GetNumRedirects')) as number;
        expect(redirects).toBeGreaterThan(0);
        expect(hub.state.transport).toBe(each.transport);
        expect(await settle(hub.invoke('GetActiveTransportName'), 'GetActiveTransportName')).toBe(
          each.serverName,
        );
        await settle(hub.stop(), 'stop');
        await settle(hub.start(), 'restart');
        expect(await settle(hub.invoke('GetNumRedirects'), 'GetNumRedirects')).toBeGreaterThan(redirects);
      });

      it('reconnects after /redirect: starts again at /redirect, with a new token from the factory', async () => {
        const user = uniqueName('redirected');
        const { calls, accessTokenFactory } = countingTokenFactory(server.url, user);
        const hub = create(redirectUrl, {
          ...caseOptions(each),
          reconnect: fixedDelays([0, 50, 100, 200, 500]),
          accessTokenFactory,
        });
        await settle(hub.start(), 'start');
        const redirects = (await settle(hub.invoke('GetNumRedirects'), 'GetNumRedirects')) as number;
        expect(redirects).toBeGreaterThan(0);
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(`${user}-1`);

        const back = await reconnectAfterServerClose(hub);
        expect(back.transport).toBe(each.transport);
        expect(await settle(hub.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toBe(
          back.connectionId,
        );
        // A new redirect: the reconnect negotiated at /redirect again, not at the URL it was sent to.
        expect(await settle(hub.invoke('GetNumRedirects'), 'GetNumRedirects')).toBeGreaterThan(redirects);
        // With the factory's new token, through the redirect (this one carries no token of its own).
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(`${user}-2`);
        expect(calls).toEqual([
          { forceRefresh: false, url: redirectUrl },
          { forceRefresh: false, url: redirectUrl },
        ]);
      });

      it('fails to start on /bad-negotiate with a NegotiateError (400), and reports it in state', async () => {
        const hub = connection(`${server.url}/bad-negotiate`);
        const states = recordStates(hub);
        const error = await failure(hub.start(), 'start');
        expect(error).toBeInstanceOf(NegotiateError);
        expect(error).toMatchObject({ statusCode: 400 });
        expect(error.message).toContain('Some response from server');
        expect(states.statuses()).toEqual(['disconnected', 'connecting', 'disconnected']);
        expect(hub.state.lastError).toBe(error);
      });
    });
  }

  describe('transport fallback on /testhub-nowebsockets', () => {
    it('JSON, WebSockets preferred: falls back to Server-Sent Events', async () => {
      const hub = create(`${server.url}/testhub-nowebsockets`, {
        transports: ['webSockets', 'serverSentEvents', 'longPolling'],
      });
      await settle(hub.start(), 'start');
      expect(hub.state.transport).toBe('serverSentEvents');
      expect(await settle(hub.invoke('GetActiveTransportName'), 'GetActiveTransportName')).toBe(
        'ServerSentEvents',
      );
    });

    it('MessagePack, WebSockets preferred: skips Server-Sent Events (text only) for Long Polling', async () => {
      const hub = create(`${server.url}/testhub-nowebsockets`, {
        transports: ['webSockets', 'serverSentEvents', 'longPolling'],
        protocol: clientProtocol('messagepack'),
      });
      await settle(hub.start(), 'start');
      expect(hub.state.transport).toBe('longPolling');
      expect(await settle(hub.invoke('GetActiveTransportName'), 'GetActiveTransportName')).toBe(
        'LongPolling',
      );
    });

    it('WebSockets only: fails with a TransportError listing the attempt', async () => {
      const hub = create(`${server.url}/testhub-nowebsockets`, { transports: ['webSockets'] });
      const error = await failure(hub.start(), 'start');
      expect(error).toBeInstanceOf(TransportError);
      const attempts = (error as TransportError).attempts;
      expect(attempts.map((attempt) => attempt.transport)).toEqual(['webSockets']);
      expect(hub.state).toMatchObject({ status: 'disconnected', lastError: error });
    });

    it('falls back when the WebSocket cannot be created', async () => {
      const throwingWebSocket = function () {
        throw new Error('Kick rocks');
      };
      const hub = create(testhubUrl, { WebSocket: throwingWebSocket as never });
      await settle(hub.start(), 'start');
      expect(hub.state.transport).toBe('serverSentEvents');
      expect(await settle(hub.invoke('GetActiveTransportName'), 'GetActiveTransportName')).toBe(
        'ServerSentEvents',
      );
    });
  });

  for (const protocol of ['json', 'messagepack'] as const) {
    describe(`skipNegotiation over WebSockets (${protocol})`, () => {
      it('connects straight to the hub: no connection id in state, the server has one', async () => {
        const hub = create(testhubUrl, {
          transports: ['webSockets'],
          skipNegotiation: true,
          protocol: clientProtocol(protocol),
        });
        const states = recordStates(hub);
        await settle(hub.start(), 'start');
        expect(hub.state).toMatchObject({ status: 'connected', connectionId: null, transport: 'webSockets' });
        expect(await settle(hub.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toEqual(
          expect.any(String),
        );
        expect(await settle(hub.invoke('GetActiveTransportName'), 'GetActiveTransportName')).toBe(
          'WebSockets',
        );
        expect(await settle(hub.invoke('Echo', 'skipped'), 'Echo')).toBe('skipped');
        await settle(hub.stop(), 'stop');
        expect(states.statuses()).toEqual([
          'disconnected',
          'connecting',
          'connected',
          'disconnecting',
          'disconnected',
        ]);
      });
    });
  }

  it('skipNegotiation fails on /testhub-nowebsockets with a TransportError', async () => {
    const hub = create(`${server.url}/testhub-nowebsockets`, {
      transports: ['webSockets'],
      skipNegotiation: true,
    });
    const error = await failure(hub.start(), 'start');
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).attempts.map((attempt) => attempt.transport)).toEqual(['webSockets']);
  });

  it('skipNegotiation requires WebSockets only', async () => {
    const hub = create(testhubUrl, { transports: ['longPolling'], skipNegotiation: true });
    expect(await failure(hub.start(), 'start')).toBeInstanceOf(TransportError);
  });

  it('stop() while connecting fails start() with an AbortError and ends disconnected', async () => {
    const hub = create(testhubUrl, { transports: ['longPolling'] });
    const start = failure(hub.start(), 'start');
    await settle(hub.stop(), 'stop');
    expect(await start).toBeInstanceOf(AbortError);
    expect(hub.state.status).toBe('disconnected');
  });

  it('a hub path that does not exist fails negotiate with a NegotiateError (404)', async () => {
    const hub = create(`${server.url}/nohub`);
    const error = await failure(hub.start(), 'start');
    expect(error).toBeInstanceOf(NegotiateError);
    expect(error).toMatchObject({ statusCode: 404 });
  });
});
