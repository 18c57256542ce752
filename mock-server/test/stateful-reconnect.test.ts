// Stateful reconnect, server side, with the official client (`withStatefulReconnect`): drops during traffic must
// be invisible to the application.
import { HttpTransportType } from '@microsoft/signalr';
import { describe, expect, it } from 'vitest';
import { MessageType } from '@hubrx/core';
import { defineHub, testPreset } from '@hubrx/mock-server';
import { connection, rawClient, server, sleep } from './helpers.js';

describe('stateful reconnect', () => {
  for (const protocol of ['json', 'messagepack'] as const) {
    it(`loses and duplicates nothing across repeated drops (${protocol})`, async () => {
      const mock = await server(testPreset());
      const client = connection(`${mock.url}/testhub`, {
        protocol,
        stateful: true,
        transport: HttpTransportType.WebSockets,
      });
      const ticks: number[] = [];
      client.on('Tick', (i: number) => ticks.push(i));
      let reconnects = 0;
      client.onreconnecting(() => reconnects++);
      await client.start();
      const id = await client.invoke<string>('GetCallerConnectionId');
      const total = 3000;
      const blast = client.invoke('Blast', total, 10);
      for (let drop = 0; drop < 5; drop++) {
        await sleep(15);
        mock.connection(id)?.drop();
      }
      await blast;
      await expect.poll(() => ticks.length, { timeout: 5000 }).toBe(total);
      expect(ticks).toEqual(Array.from({ length: total }, (_, i) => i));
      // Stateful reconnect is transparent: the same connection, no reconnecting events.
      expect(reconnects).toBe(0);
      expect(await client.invoke('GetCallerConnectionId')).toBe(id);
    });
  }

  it('is not offered unless the hub allows it, and needs handshake version 2', async () => {
    const mock = await server({
      hubs: {
        '/plain': defineHub({ methods: {} }),
        '/stateful': defineHub({ methods: {}, allowStatefulReconnects: true }),
      },
    });
    const negotiate = async (path: string) =>
      await (
        await fetch(`${mock.url}${path}/negotiate?negotiateVersion=1&useStatefulReconnect=true`, {
          method: 'POST',
        })
      ).text();
    expect(await negotiate('/plain')).not.toContain('useStatefulReconnect');
    expect(await negotiate('/stateful')).toMatch(/^\{"useStatefulReconnect":true,"negotiateVersion":1,/);
  });

  it('holds writes back once statefulReconnectBufferSize unacknowledged bytes are out, until Acks arrive', async () => {
    const mock = await server({
      hubs: {
        '/hub': defineHub({
          allowStatefulReconnects: true,
          methods: {
            Burst: (ctx, count: number) => {
              for (let i = 0; i < count; i++) ctx.clients.caller.send('Item', i, 'x'.repeat(100));
            },
          },
        }),
      },
      statefulReconnectBufferSize: 1000,
    });
    const negotiation = (await (
      await fetch(`${mock.url}/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true`, {
        method: 'POST',
      })
    ).json()) as { connectionToken: string };
    // A raw client that never acknowledges: the server must stop after about 1000 bytes.
    const client = await rawClient(
      `${mock.url}/hub?id=${negotiation.connectionToken}`,
      '{"protocol":"json","version":2}\x1e',
    );
    client.send({ type: MessageType.Invocation, target: 'Burst', arguments: [50] });
    await sleep(200);
    const items = () => client.messages.filter((m) => m.type === MessageType.Invocation).length;
    const held = items();
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(50);
    // Acknowledging what arrived releases the rest.
    client.send({ type: MessageType.Ack, sequenceId: held });
    await expect.poll(items, { timeout: 2000 }).toBeGreaterThan(held);
    for (let acked = 0; items() < 50 && acked < 20; acked++) {
      client.send({ type: MessageType.Ack, sequenceId: items() });
      await sleep(20);
    }
    expect(items()).toBe(50);
  });
});
