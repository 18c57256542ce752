// The outbox: calls made while (re)connecting wait, in order, and go out once connected; bounded; failed on stop.
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, MessageType, outbox } from '@hubrx/core';
import { defineHub, type MockHubServer } from '@hubrx/mock-server';
import { client, recordStates, startServer, status, type ClientOptions } from './helpers.js';

/** A hub that records every `Record(value)` with the connection it came on. */
async function recordingServer(): Promise<{
  server: MockHubServer;
  received: { value: unknown; connectionId: string }[];
}> {
  const received: { value: unknown; connectionId: string }[] = [];
  const server = await startServer({
    hubs: {
      '/hub': defineHub({
        methods: {
          Record: (ctx, value: unknown) => {
            received.push({ value, connectionId: ctx.connectionId });
            return value;
          },
        },
      }),
    },
  });
  return { server, received };
}

/** Connects, then drops the connection while negotiate keeps failing: the client stays reconnecting. */
async function reconnecting(server: MockHubServer, options: ClientOptions) {
  const connection = client(`${server.url}/hub`, options);
  const states = recordStates(connection);
  await connection.start();
  const first = connection.state.connectionId!;
  const from = states.states.length;
  server.faults.failNegotiate(1_000_000, { status: 503 });
  server.connection(first)!.drop();
  await states.next(status('reconnecting'), { from });
  return { connection, states, first, from };
}

const settle = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => 'sent' as const,
    (error: unknown) => error,
  );

describe('outbox', () => {
  it('calls made while reconnecting are delivered in order once reconnected', async () => {
    const { server, received } = await recordingServer();
    const { connection, states, first, from } = await reconnecting(server, { outbox: outbox() });
    const resolvedWhile: string[] = [];
    const sends = Array.from({ length: 20 }, (_, i) =>
      connection.send('Record', i).then(() => void resolvedWhile.push(connection.state.status)),
    );
    const invoked = connection.invoke('Record', 'invoked').then((result) => {
      resolvedWhile.push(connection.state.status);
      return result;
    });
    const more = connection.send('Record', 20);
    expect(connection.state.status).toBe('reconnecting');

    server.faults.reset();
    const back = await states.next(status('connected'), { from });
    await Promise.all([...sends, more]);
    expect(await invoked).toBe('invoked');

    expect(back.connectionId).not.toBe(first);
    expect(received.map((r) => r.value)).toEqual([...Array.from({ length: 20 }, (_, i) => i), 'invoked', 20]);
    expect(new Set(received.map((r) => r.connectionId))).toEqual(new Set([back.connectionId]));
    expect(resolvedWhile.every((s) => s === 'connected')).toBe(true);
  });

  it('calls made while the first start is retrying wait too', async () => {
    const { server, received } = await recordingServer();
    server.faults.failNegotiate(2, { status: 503 });
    const connection = client(`${server.url}/hub`, { outbox: outbox() });
    const started = connection.start({ retry: true });
    expect(connection.state.status).toBe('connecting');
    const sent = connection.send('Record', 'early');
    await started;
    await sent;
    await server.waitForMessage({ direction: 'received', target: 'Record' });
    expect(received.map((r) => r.value)).toEqual(['early']);
  });

  it('past the limit, calls fail at once; those within it are still delivered', async () => {
    const { server, received } = await recordingServer();
    const { connection, states, from } = await reconnecting(server, { outbox: outbox({ limit: 3 }) });
    const within = [connection.send('Record', 0), connection.send('Record', 1), connection.send('Record', 2)];

    const refused = await settle(connection.send('Record', 3));
    expect(refused).toBeInstanceOf(ConnectionClosedError);
    expect((refused as Error).message).toMatch(/outbox is full \(3 messages\)/);
    const refusedCall = await settle(connection.invoke('Record', 4));
    expect(refusedCall).toBeInstanceOf(ConnectionClosedError);
    expect(connection.state.status).toBe('reconnecting');

    server.faults.reset();
    await states.next(status('connected'), { from });
    await Promise.all(within);
    expect(await connection.invoke('Record', 'after')).toBe('after');
    expect(received.map((r) => r.value)).toEqual([0, 1, 2, 'after']);
  });

  it('a queued invocation that is unsubscribed is taken back: never sent, no CancelInvocation', async () => {
    const { server, received } = await recordingServer();
    const { connection, states, from } = await reconnecting(server, { outbox: outbox() });
    const subscription = connection.invoke('Record', 'withdrawn').subscribe({ error: () => undefined });
    const kept = connection.invoke('Record', 'kept');
    subscription.unsubscribe();

    server.faults.reset();
    const back = await states.next(status('connected'), { from });
    expect(await kept).toBe('kept');
    expect(received.map((r) => r.value)).toEqual(['kept']);
    const fromClient = server.log.filter(
      (e) => e.connectionId === back.connectionId && e.direction === 'received',
    );
    expect(fromClient.some((e) => e.message.type === MessageType.CancelInvocation)).toBe(false);
  });

  it('on stop, every queued call fails with ConnectionClosedError and none is sent later', async () => {
    const { server, received } = await recordingServer();
    const { connection } = await reconnecting(server, { outbox: outbox() });
    const sends = [connection.send('Record', 'a'), connection.send('Record', 'b')];
    const call = connection.invoke('Record', 'c');

    await connection.stop();
    for (const outcome of await Promise.all([...sends, call].map(settle))) {
      expect(outcome).toBeInstanceOf(ConnectionClosedError);
    }

    server.faults.reset();
    await connection.start();
    expect(await connection.invoke('Record', 'next')).toBe('next');
    expect(received.map((r) => r.value)).toEqual(['next']);
  });

  it('without an outbox, calls made while reconnecting fail at once', async () => {
    const { server } = await recordingServer();
    const { connection } = await reconnecting(server, {});
    expect(await settle(connection.send('Record', 1))).toBeInstanceOf(ConnectionClosedError);
    expect(await settle(connection.invoke('Record', 2))).toBeInstanceOf(ConnectionClosedError);
    expect(connection.state.status).toBe('reconnecting');
  });
});
