// Keep-alive, timeouts and reaping, with the intervals shortened through the server's options.
import { describe, expect, it } from 'vitest';
import { MessageType } from '@hubrx/core';
import { defineHub } from '@hubrx/mock-server';
import { isType, rawClient, server, sleep } from './helpers.js';

const hub = defineHub({ methods: { Echo: (_ctx, text: string) => text } });

describe('timers', () => {
  it('pings every keepAliveIntervalMs, whatever else is sent', async () => {
    const mock = await server({ hubs: { '/hub': hub }, keepAliveIntervalMs: 100 });
    const client = await rawClient(`${mock.url}/hub`);
    await client.next(isType(MessageType.Ping), 1000);
    const pings = () => client.messages.filter((m) => m.type === MessageType.Ping).length;
    const before = pings();
    for (let i = 0; i < 10; i++) {
      client.send({ type: 1, invocationId: String(i), target: 'Echo', arguments: ['x'] });
      await sleep(30);
    }
    expect(pings() - before).toBeGreaterThanOrEqual(2);
  });

  it('closes a client silent for clientTimeoutIntervalMs once it has pinged, with the Close ASP.NET Core sends', async () => {
    const mock = await server({ hubs: { '/hub': hub }, clientTimeoutIntervalMs: 200, detailedErrors: true });
    const client = await rawClient(`${mock.url}/hub`);
    client.send({ type: MessageType.Ping });
    const close = await client.next(isType(MessageType.Close), 2000);
    expect(close).toEqual({
      type: MessageType.Close,
      error:
        "Connection closed with an error. OperationCanceledException: Client hasn't sent a message/ping within the configured ClientTimeoutInterval.",
      allowReconnect: true,
    });
    expect((await client.closed).code).toBe(1000);
  });

  it('does not time out a client that never pinged (the timer starts with its first Ping)', async () => {
    const mock = await server({
      hubs: { '/hub': hub },
      clientTimeoutIntervalMs: 100,
      keepAliveIntervalMs: 50,
    });
    const client = await rawClient(`${mock.url}/hub`);
    await sleep(400);
    expect(client.messages.some((m) => m.type === MessageType.Close)).toBe(false);
  });

  it('cancels a handshake that does not arrive within handshakeTimeoutMs', async () => {
    const mock = await server({ hubs: { '/hub': hub }, handshakeTimeoutMs: 150 });
    const client = await rawClient(`${mock.url}/hub`, '');
    expect((await client.closed).code).toBe(1000);
    expect(client.frames).toEqual(['{"error":"Handshake was canceled."}\x1e']);
  });

  it('answers a poll with nothing to say after longPollTimeoutMs: 200, empty', async () => {
    const mock = await server({ hubs: { '/hub': hub }, longPollTimeoutMs: 150, keepAliveIntervalMs: 60_000 });
    const negotiation = (await (
      await fetch(`${mock.url}/hub/negotiate?negotiateVersion=1`, { method: 'POST' })
    ).json()) as {
      connectionToken: string;
    };
    const url = `${mock.url}/hub?id=${negotiation.connectionToken}`;
    expect((await fetch(url)).status).toBe(200);
    await fetch(url, { method: 'POST', body: '{"protocol":"json","version":1}\x1e' });
    const handshake = await fetch(url);
    expect(await handshake.text()).toBe('{}\x1e');
    const started = Date.now();
    const empty = await fetch(url);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
    expect(empty.headers.get('content-type')).toBe('text/plain');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await fetch(url, { method: 'DELETE' });
  });

  it('reaps a negotiated connection that is never used after disconnectTimeoutMs', async () => {
    const mock = await server({ hubs: { '/hub': hub }, disconnectTimeoutMs: 100 });
    const { connectionToken } = (await (
      await fetch(`${mock.url}/hub/negotiate?negotiateVersion=1`, { method: 'POST' })
    ).json()) as {
      connectionToken: string;
    };
    await sleep(300);
    const late = await fetch(`${mock.url}/hub?id=${connectionToken}`, { method: 'POST', body: 'x' });
    expect(late.status).toBe(404);
    expect(await late.text()).toBe('No Connection with that ID');
  });

  it('reaps a long-polling connection whose client stopped polling, and calls onDisconnected', async () => {
    const disconnected: string[] = [];
    const mock = await server({
      hubs: {
        '/hub': defineHub({ methods: {}, onDisconnected: (ctx) => void disconnected.push(ctx.connectionId) }),
      },
      disconnectTimeoutMs: 100,
    });
    const { connectionToken, connectionId } = (await (
      await fetch(`${mock.url}/hub/negotiate?negotiateVersion=1`, { method: 'POST' })
    ).json()) as { connectionToken: string; connectionId: string };
    const url = `${mock.url}/hub?id=${connectionToken}`;
    await fetch(url);
    await fetch(url, { method: 'POST', body: '{"protocol":"json","version":1}\x1e' });
    await fetch(url);
    expect(mock.connection(connectionId)).toBeDefined();
    await mock.waitForDisconnect(connectionId, { timeoutMs: 2000 });
    await sleep(10);
    expect(disconnected).toEqual([connectionId]);
  });
});
