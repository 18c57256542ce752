// Losing a connection: abrupt drops, a server restart, a half-open socket, and the server's Close message.
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, exponentialBackoff, TimeoutError, type TransportName } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { testPreset } from '@hubrx/mock-server';
import { client, GuardedWebSocket, recordStates, signal, startServer, status } from './helpers.js';

const transports: TransportName[] = ['webSockets', 'serverSentEvents', 'longPolling'];

describe('abrupt drop', () => {
  it.each(transports)(
    'reconnects with a new connection id; pending calls fail, on() survives (%s)',
    async (transport) => {
      const server = await startServer(testPreset());
      const connection = client(`${server.url}/testhub`, { transports: [transport] });
      const messages: string[] = [];
      const second = signal();
      connection.on('Message').subscribe(([text]) => {
        messages.push(text as string);
        if (text === 'after') second.resolve();
      });
      const states = recordStates(connection);
      await connection.start();
      const first = connection.state.connectionId!;
      expect(first).toEqual(await connection.invoke('GetCallerConnectionId'));
      await connection.invoke('InvokeWithString', 'before');
      const pending = connection.invoke('Delay', 10_000).then(
        () => undefined,
        (error: unknown) => error,
      );
      await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId: first });

      const from = states.states.length;
      server.connection(first)!.drop();

      const error = await pending;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      const lost = await states.next(status('reconnecting'), { from });
      expect(lost.lastError).toBeInstanceOf(Error);
      const back = await states.next(status('connected'), { from });
      expect(back.connectionId).not.toBe(first);
      expect(back.transport).toBe(transport);
      expect(await connection.invoke('GetCallerConnectionId')).toBe(back.connectionId);
      await server.waitForDisconnect(first);
      expect(server.connection(first)).toBeUndefined();

      await connection.invoke('InvokeWithString', 'after');
      await second.promise;
      expect(messages).toEqual(['before', 'after']);
    },
  );
});

describe('server restart on the same port', () => {
  it.each<TransportName>(['webSockets', 'longPolling'])(
    'retries until the server is back, then connects anew (%s)',
    async (transport) => {
      const server = await startServer(testPreset());
      const policy: number[] = [];
      const backoff = exponentialBackoff({ initialMs: 40, maxMs: 80, jitter: 'none' });
      const connection = client(`${server.url}/testhub`, {
        transports: [transport],
        reconnect: (context) => {
          policy.push(context.attempt);
          return backoff(context);
        },
      });
      const states = recordStates(connection);
      await connection.start();
      const first = connection.state.connectionId;
      const from = states.states.length;

      const restarted = server.restart({ downtimeMs: 400 });
      const back = await states.next(status('connected'), { from });
      await restarted;

      expect(back.connectionId).not.toBe(first);
      expect(back.transport).toBe(transport);
      // Several attempts failed while the port was closed, each visible in state$.
      const attempts = states.states.slice(from).filter((s) => s.status === 'reconnecting' && s.attempt > 0);
      expect(Math.max(...attempts.map((s) => s.attempt))).toBeGreaterThanOrEqual(3);
      expect(policy.length).toBeGreaterThanOrEqual(3);
      expect(policy).toEqual(policy.map((_, i) => i + 1));
      expect(await connection.invoke('Echo', 'back')).toBe('back');
    },
  );
});

describe('half-open connection', () => {
  it.each<TransportName>(['webSockets', 'serverSentEvents'])(
    "the client's server timeout fires, reports a TimeoutError and reconnects (%s)",
    async (transport) => {
      // The server pings every 50 ms, so a healthy connection never reaches the client's 400 ms timeout.
      const server = await startServer({ ...testPreset(), keepAliveIntervalMs: 50 });
      const connection = client(`${server.url}/testhub`, {
        transports: [transport],
        keepAliveIntervalMs: 100,
        serverTimeoutMs: 400,
      });
      const states = recordStates(connection);
      await connection.start();
      const first = connection.state.connectionId!;
      const from = states.states.length;
      server.connection(first)!.halfOpen();
      const pending = connection.invoke('Echo', 'into the void').then(
        () => undefined,
        (error: unknown) => error,
      );

      const lost = await states.next(status('reconnecting'), { from });
      expect(lost.lastError).toBeInstanceOf(TimeoutError);
      expect((lost.lastError as TimeoutError).timeoutMs).toBe(400);
      expect(await pending).toBeInstanceOf(ConnectionClosedError);
      const back = await states.next(status('connected'), { from });
      expect(back.connectionId).not.toBe(first);
      expect(back.transport).toBe(transport);
      expect(await connection.invoke('Echo', 'alive')).toBe('alive');
    },
  );
});

describe('keep-alive per connection', () => {
  it('after a long-polling connection, a WebSocket reconnect still has a server timeout', async () => {
    const server = await startServer({ ...testPreset(), keepAliveIntervalMs: 50 });
    let constructed = 0;
    // The first WebSocket fails, so the first connection falls back to long polling; later ones work.
    class FirstFails extends GuardedWebSocket {
      constructor(...args: ConstructorParameters<typeof GuardedWebSocket>) {
        if (constructed++ === 0) throw new Error('not this time');
        super(...args);
      }
    }
    const connection = client(`${server.url}/testhub`, {
      transports: ['webSockets', 'longPolling'],
      WebSocket: nodeWebSocket(FirstFails),
      keepAliveIntervalMs: 100,
      serverTimeoutMs: 400,
    });
    const states = recordStates(connection);
    await connection.start();
    expect(connection.state.transport).toBe('longPolling');
    let from = states.states.length;
    server.connection(connection.state.connectionId!)!.drop();
    const ws = await states.next(status('connected'), { from });
    expect(ws.transport).toBe('webSockets');

    from = states.states.length;
    server.connection(ws.connectionId!)!.halfOpen();
    const lost = await states.next(status('reconnecting'), { from });
    expect(lost.lastError).toBeInstanceOf(TimeoutError);
  });
});

describe("the server's Close message", () => {
  it('with an error and allowReconnect: reconnects, lastError carries the text', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`);
    const states = recordStates(connection);
    await connection.start();
    const first = connection.state.connectionId!;
    const from = states.states.length;
    server.connection(first)!.close({ error: 'Server is restarting.', allowReconnect: true });

    const lost = await states.next(status('reconnecting'), { from });
    expect(lost.lastError).toBeInstanceOf(ConnectionClosedError);
    expect(lost.lastError!.message).toContain('Server is restarting.');
    const back = await states.next(status('connected'), { from });
    expect(back.connectionId).not.toBe(first);
    expect(await connection.invoke('Echo', 'again')).toBe('again');
  });

  it('with an error and no allowReconnect: closed for good, lastError carries the text', async () => {
    const server = await startServer(testPreset());
    let asked = 0;
    const connection = client(`${server.url}/testhub`, {
      reconnect: () => {
        asked++;
        return 0;
      },
    });
    const states = recordStates(connection);
    await connection.start();
    const first = connection.state.connectionId!;
    const pending = connection.invoke('Delay', 10_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId: first });
    const from = states.states.length;
    server.connection(first)!.close({ error: 'Go away.' });

    const closed = await states.next(status('disconnected'), { from });
    expect(closed.lastError).toBeInstanceOf(ConnectionClosedError);
    expect(closed.lastError!.message).toContain('Go away.');
    expect(states.statuses(from)).not.toContain('reconnecting');
    expect(asked).toBe(0);
    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    await expect(connection.send('Echo', 'no')).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
