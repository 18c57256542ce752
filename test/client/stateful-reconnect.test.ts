// Stateful reconnect over WebSockets: repeated drops during traffic both ways lose, duplicate and reorder nothing
// and keep the connection id; a reattach the server cannot honour falls back to a full reconnect.
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, statefulReconnect } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { defineHub, testPreset } from '@hubrx/mock-server';
import { client, collector, recordStates, startServer, status, turn } from './helpers.js';

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

describe('stateful reconnect', () => {
  it.each([
    { protocol: 'json', drops: 100, total: 10_000 },
    { protocol: 'messagepack', drops: 20, total: 2_000 },
  ] as const)(
    '$drops drops during $total messages each way ($protocol): none lost, none duplicated, order kept, same connection',
    async ({ protocol, drops, total }) => {
      const perRound = total / drops;
      const received = collector<number>(total);
      const hub = defineHub({
        allowStatefulReconnects: true,
        // Room for everything in flight: Acks come once a second, and this test is about losses, not backpressure.
        options: { statefulReconnectBufferSize: 10_000_000 },
        methods: {
          Record: (_ctx, value: number) => {
            received.push(value);
            return value;
          },
          async Emit(ctx, from: number, count: number) {
            for (let i = 0; i < count; i++) {
              ctx.clients.caller.send('Item', from + i);
              // Spread over several turns, so that drops land in the middle of a batch.
              if (i % 25 === 24) await turn();
            }
          },
        },
      });
      const server = await startServer({ hubs: { '/hub': hub } });
      const connection = client(`${server.url}/hub`, {
        transports: ['webSockets'],
        statefulReconnect: statefulReconnect({ bufferSize: 10_000_000 }),
        ...(protocol === 'messagepack' && { protocol: messagePackHubProtocol() }),
      });
      const items = collector<number>(total);
      connection.on('Item').subscribe(([value]) => items.push(value as number));
      const states = recordStates(connection);
      await connection.start();
      const id = connection.state.connectionId!;
      const start = states.states.length;

      const calls: Promise<unknown>[] = [];
      const results: number[] = [];
      for (let round = 0; round < drops; round++) {
        for (let k = 0; k < perRound; k++) {
          const value = round * perRound + k;
          calls.push(
            value % 10 === 0
              ? connection.invoke('Record', value).then((result) => void results.push(result as number))
              : connection.send('Record', value),
          );
        }
        calls.push(connection.send('Emit', round * perRound, perRound));
        // Drop at varying points: before anything left, mid-flight, after some answers.
        for (let t = 0; t < round % 4; t++) await turn();
        const from = states.states.length;
        server.connection(id)!.drop();
        const lost = await states.next(status('reconnecting'), { from });
        expect(lost.connectionId).toBe(id);
        const back = await states.next(status('connected'), { from });
        expect(back.connectionId).toBe(id);
      }

      await Promise.all(calls);
      await received.full;
      await items.full;
      expect(received.items).toEqual(range(total));
      expect(items.items).toEqual(range(total));
      expect(results).toEqual(range(total).filter((value) => value % 10 === 0));

      // Each drop showed as reconnecting → connected (one transition each), on the same connection.
      const transitions = states.statuses(start).filter((s, i, all) => i === 0 || s !== all[i - 1]);
      expect(transitions).toEqual(range(drops).flatMap(() => ['reconnecting', 'connected']));
      expect(states.states.slice(start).every((s) => s.connectionId === id)).toBe(true);
      expect(connection.state.connectionId).toBe(id);
      expect(server.connections.map((c) => c.connectionId)).toEqual([id]);

      // Nothing arrives twice later either: one more round trip, then the counts still hold.
      expect(await connection.invoke('Record', -1)).toBe(-1);
      expect(received.items).toHaveLength(total + 1);
      expect(items.items).toHaveLength(total);
    },
    60_000,
  );

  it('a reattach after a server restart fails (404) and falls back to a full reconnect', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`, {
      transports: ['webSockets'],
      statefulReconnect: statefulReconnect(),
    });
    const states = recordStates(connection);
    await connection.start();
    const id = connection.state.connectionId!;
    const pending = connection.invoke('Delay', 10_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId: id });
    const from = states.states.length;

    await server.restart();

    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    const back = await states.next(status('connected'), { from });
    expect(back.connectionId).not.toBe(id);
    expect(states.statuses(from)).toEqual([...states.statuses(from).slice(0, -1), 'connected']);
    expect(states.statuses(from)).not.toContain('disconnected');
    expect(await connection.invoke('GetCallerConnectionId')).toBe(back.connectionId);
    // The new connection is stateful too.
    const again = states.states.length;
    server.connection(back.connectionId!)!.drop();
    const resumed = await states.next(status('connected'), { from: again });
    expect(resumed.connectionId).toBe(back.connectionId);
  });

  it('a reattach after the server dropped the connection (disconnect timeout) falls back to a full reconnect', async () => {
    const server = await startServer({ ...testPreset(), disconnectTimeoutMs: 100 });
    const connection = client(`${server.url}/testhub`, {
      transports: ['webSockets'],
      statefulReconnect: statefulReconnect(),
      // The first reattach comes after the server has given up on the connection.
      reconnect: ({ attempt }) => (attempt === 1 ? 400 : 20),
    });
    const states = recordStates(connection);
    await connection.start();
    const id = connection.state.connectionId!;
    const pending = connection.invoke('Delay', 10_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId: id });
    const from = states.states.length;
    const gone = server.waitForDisconnect(id);

    server.connection(id)!.drop();
    await gone;

    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    const back = await states.next(status('connected'), { from });
    expect(back.connectionId).not.toBe(id);
    expect(await connection.invoke('GetCallerConnectionId')).toBe(back.connectionId);
  });

  it('past reattachWindowMs the connection is not resumed: pending calls fail, a new connection is made', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`, {
      transports: ['webSockets'],
      statefulReconnect: statefulReconnect({ reattachWindowMs: 50 }),
      reconnect: ({ attempt }) => (attempt === 1 ? 150 : 20),
    });
    const states = recordStates(connection);
    await connection.start();
    const id = connection.state.connectionId!;
    const pending = connection.invoke('Delay', 10_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId: id });
    const from = states.states.length;
    server.connection(id)!.drop();

    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    const back = await states.next(status('connected'), { from });
    expect(back.connectionId).not.toBe(id);
    expect(await connection.invoke('GetCallerConnectionId')).toBe(back.connectionId);
  });

  it('calls made while a failing reattach is pending are delivered or fail, never silently lost', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`, {
      transports: ['webSockets'],
      statefulReconnect: statefulReconnect(),
    });
    const states = recordStates(connection);
    await connection.start();
    const id = connection.state.connectionId!;
    const from = states.states.length;

    // The server goes away for a while and comes back without the connection.
    const restarted = server.restart({ downtimeMs: 200 });
    await states.next(status('reconnecting'), { from });
    const sent = connection.send('Echo', 'sent while detached').then(
      () => 'resolved' as const,
      (error: unknown) => error,
    );
    const invoked = connection.invoke('Echo', 'invoked while detached').then(
      (value) => value,
      (error: unknown) => error,
    );
    await restarted;
    const back = await states.next(status('connected'), { from });
    expect(back.connectionId).not.toBe(id);

    expect(await invoked).toBeInstanceOf(ConnectionClosedError);
    const outcome = await sent;
    if (outcome === 'resolved') {
      // Resolved means delivered: the new connection must have received it.
      const entry = await server.waitForMessage(
        { direction: 'received', target: 'Echo' },
        { timeoutMs: 1000 },
      );
      expect(entry.connectionId).toBe(back.connectionId);
    } else {
      expect(outcome).toBeInstanceOf(ConnectionClosedError);
      expect(server.log.some((e) => e.direction === 'received' && e.message.type === 1)).toBe(false);
    }
  });
});
