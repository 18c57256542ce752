// Starting against a server that refuses: negotiate failures (with and without retry), a refused handshake,
// transports that cannot connect (fallback to the next, or one TransportError listing them all).
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  fixedDelays,
  NegotiateError,
  ProtocolError,
  TransportError,
  type ReconnectPolicy,
  type RetryContext,
} from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { defineHub, testPreset } from '@hubrx/mock-server';
import { client, recordStates, startServer, status } from './helpers.js';

/** Records what the policy was asked, answering with `delays` (then giving up). */
function recordingPolicy(delays: readonly number[]): { policy: ReconnectPolicy; asked: RetryContext[] } {
  const asked: RetryContext[] = [];
  const inner = fixedDelays(delays);
  return {
    asked,
    policy: (context) => {
      asked.push(context);
      return inner(context);
    },
  };
}

describe('negotiate failures', () => {
  it('start() rejects with a NegotiateError carrying the status', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`);
    const states = recordStates(connection);
    server.faults.failNegotiate(1, { status: 503, body: 'Service Unavailable' });

    const error = await connection.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(503);
    expect((error as NegotiateError).message).toContain('503');
    expect(states.statuses()).toEqual(['disconnected', 'connecting', 'disconnected']);
    expect(connection.state.lastError).toBe(error);

    // Nothing is broken: the next start connects.
    await connection.start();
    expect(connection.state.status).toBe('connected');
  });

  it('start({ retry: true }) retries per the policy, attempts and delays visible in state$, then connects', async () => {
    const server = await startServer(testPreset());
    const { policy, asked } = recordingPolicy([10, 20, 30, 40]);
    const connection = client(`${server.url}/testhub`, { reconnect: policy });
    const states = recordStates(connection);
    server.faults.failNegotiate(3, { status: 503 });

    await connection.start({ retry: true });

    expect(connection.state.status).toBe('connected');
    expect(asked.map((c) => c.attempt)).toEqual([1, 2, 3]);
    for (const context of asked) {
      expect(context.reason).toBeInstanceOf(NegotiateError);
      expect((context.reason as NegotiateError).statusCode).toBe(503);
    }
    const waits = states.states
      .filter((s) => s.status === 'connecting' && s.nextRetryInMs !== null)
      .map((s) => [s.attempt, s.nextRetryInMs]);
    expect(waits).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    const connected = states.states.at(-1)!;
    expect(connected).toMatchObject({ status: 'connected', attempt: 0, nextRetryInMs: null });
  });

  it('gives up when the policy returns null: start() rejects, disconnected with lastError', async () => {
    const server = await startServer(testPreset());
    const { policy, asked } = recordingPolicy([10, 10]);
    const connection = client(`${server.url}/testhub`, { reconnect: policy });
    const states = recordStates(connection);
    server.faults.failNegotiate(100, { status: 503 });

    const error = await connection.start({ retry: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(503);
    expect(asked.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const last = await states.next(status('disconnected'), { from: 1 });
    expect(last.lastError).toBe(error);
    expect(connection.state).toMatchObject({ status: 'disconnected', attempt: 0, nextRetryInMs: null });
  });

  it('gives up reconnecting when the policy returns null: disconnected with lastError', async () => {
    const server = await startServer(testPreset());
    const { policy, asked } = recordingPolicy([10, 10]);
    const connection = client(`${server.url}/testhub`, { reconnect: policy });
    const states = recordStates(connection);
    await connection.start();
    const from = states.states.length;
    server.faults.failNegotiate(100, { status: 503 });
    server.connection(connection.state.connectionId!)!.drop();

    const closed = await states.next(status('disconnected'), { from });
    expect(closed.lastError).toBeInstanceOf(NegotiateError);
    expect((closed.lastError as NegotiateError).statusCode).toBe(503);
    expect(asked.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const reconnecting = states.states.slice(from).filter((s) => s.status === 'reconnecting');
    expect(reconnecting.map((s) => s.attempt)).toContain(2);
  });
});

describe('handshake rejection', () => {
  it("start() rejects with a ProtocolError naming the server's text", async () => {
    const server = await startServer(testPreset());
    server.faults.rejectHandshake(1, 'No hubs for you.');
    const connection = client(`${server.url}/testhub`);

    const error = await connection.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).protocol).toBe('handshake');
    expect((error as ProtocolError).message).toContain('No hubs for you.');
    expect(connection.state.status).toBe('disconnected');
    expect(connection.state.lastError).toBe(error);
  });
});

/** A WebSocket that cannot even be constructed. */
class ThrowingWebSocket {
  constructor() {
    throw new Error('WebSockets are blocked here');
  }
}

/** A `ws` WebSocket that always dials a port nobody listens on. */
function refusedWebSocket(port: number) {
  return class RefusedWebSocket extends WebSocket {
    constructor(_url: string, protocols?: string | string[], options?: object) {
      super(`ws://127.0.0.1:${port}/nothing`, protocols, options);
    }
  };
}

describe('transport fallback', () => {
  it('a WebSocket constructor that throws: falls back to Server-Sent Events', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`, { WebSocket: ThrowingWebSocket });
    await connection.start();
    expect(connection.state.transport).toBe('serverSentEvents');
    expect(await connection.invoke('GetActiveTransportName')).toBe('ServerSentEvents');
  });

  it('a WebSocket that fails to connect: falls back to the next transport', async () => {
    const server = await startServer(testPreset());
    const closed = await startServer(testPreset());
    const port = closed.port;
    await closed.close();
    const connection = client(`${server.url}/testhub`, {
      WebSocket: nodeWebSocket(refusedWebSocket(port)),
      transports: ['webSockets', 'longPolling'],
    });
    await connection.start();
    expect(connection.state.transport).toBe('longPolling');
    expect(await connection.invoke('GetActiveTransportName')).toBe('LongPolling');
  });

  it('a hub without WebSockets: the next transport the client lists is used', async () => {
    const server = await startServer(testPreset());
    const sse = client(`${server.url}/testhub-nowebsockets`);
    await sse.start();
    expect(sse.state.transport).toBe('serverSentEvents');
    const lp = client(`${server.url}/testhub-nowebsockets`, { transports: ['webSockets', 'longPolling'] });
    await lp.start();
    expect(lp.state.transport).toBe('longPolling');
    expect(await lp.invoke('GetActiveTransportName')).toBe('LongPolling');
  });

  it('every transport failing: one TransportError whose attempts list each transport and why', async () => {
    const server = await startServer({
      hubs: {
        '/hub': defineHub({ transports: ['WebSockets', 'ServerSentEvents'], methods: {} }),
      },
    });
    class ThrowingEventSource {
      constructor() {
        throw new Error('EventSource is blocked here');
      }
    }
    const connection = client(`${server.url}/hub`, {
      WebSocket: ThrowingWebSocket,
      EventSource: ThrowingEventSource,
    });

    const error = await connection.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    const { attempts } = error as TransportError;
    expect(attempts.map((a) => a.transport)).toEqual(['webSockets', 'serverSentEvents', 'longPolling']);
    expect(attempts[0]!.error.message).toContain('WebSockets are blocked here');
    expect(attempts[1]!.error.message).toContain('EventSource is blocked here');
    expect(attempts[2]!.error.message).toMatch(/not offered/);
    for (const attempt of attempts) expect((error as Error).message).toContain(attempt.transport);
    expect(connection.state.lastError).toBe(error);
    expect(connection.state.status).toBe('disconnected');
  });
});
