// Server keep-alive: the first Ping arrives about 15 s after the handshake (the server checks on a 1 s heartbeat),
// on WebSockets (JSON and MessagePack) and Server-Sent Events, whatever else is sent meanwhile; long polling, which
// keeps itself alive, gets none.
//
// Every wait runs concurrently (the connections of one test in parallel, the tests of both targets in parallel:
// 4 tests, within vitest's default maxConcurrency of 5), so the file takes about 17 s.

import { describe, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import { delay, handshakeRequest, hex, ofType, RS, wireSession, type WireSession } from '../support/wire.js';

/** The first Ping is due > 15 s after the handshake; allow for the 1 s heartbeat and some slack. */
const EARLIEST_PING_MS = 14_000;
const PING_WAIT_MS = 18_500;

/** Opens a WebSocket, handshakes, waits for the first Ping; resolves with it and how long it took. */
async function firstWebSocketPing(
  wire: WireSession,
  protocol: 'json' | 'messagepack',
  traffic: boolean,
): Promise<{ elapsed: number; hex: string; binary: boolean | undefined; invocations: number }> {
  const socket = await wire.hubSocket('/testhub', protocol);
  const start = Date.now();
  // Non-blocking InvokeWithString: the server writes Message(...) every 250 ms meanwhile.
  const timer = traffic
    ? setInterval(() => {
        socket
          .send(`{"type":1,"target":"InvokeWithString","arguments":["busy"]}${RS}`)
          .catch(() => undefined);
      }, 250)
    : undefined;
  try {
    const ping = await socket.waitFor(ofType(6), PING_WAIT_MS, `the first Ping (${protocol})`);
    return {
      elapsed: Date.now() - start,
      hex: ping.hex,
      binary: socket.frames.at(-1)?.binary,
      invocations: socket.records.filter(ofType(1)).length,
    };
  } finally {
    clearInterval(timer);
  }
}

// The two targets' suites run concurrently too (they are nested in a concurrent suite).
describe.concurrent('wire: keep-alive', () => {
  describeEachTarget('wire: keep-alive', (target) => {
    it.concurrent(
      'pings WebSockets ~15 s after the handshake: JSON {"type":6}\\x1e, MessagePack 02 91 06, also while busy',
      async (ctx) => {
        const wire = wireSession(target.url, ctx);
        const [json, messagePack, busy] = await Promise.all([
          firstWebSocketPing(wire, 'json', false),
          firstWebSocketPing(wire, 'messagepack', false),
          // The ping timer ignores other writes: it pings on schedule even while messages flow.
          firstWebSocketPing(wire, 'json', true),
        ]);
        ctx.expect(json.hex).toBe(Buffer.from(`{"type":6}${RS}`).toString('hex'));
        ctx.expect(json.binary).toBe(false);
        ctx.expect(messagePack.hex).toBe(hex('02 91 06'));
        ctx.expect(messagePack.binary).toBe(true);
        ctx.expect(busy.hex).toBe(json.hex);
        ctx.expect(busy.invocations).toBeGreaterThan(40);
        for (const each of [json, messagePack, busy])
          ctx.expect(each.elapsed).toBeGreaterThanOrEqual(EARLIEST_PING_MS);
      },
    );

    it.concurrent(
      'pings Server-Sent Events as "data: {"type":6}\\x1e", and never a long-polling connection',
      async (ctx) => {
        const wire = wireSession(target.url, ctx);
        const sse = (async () => {
          const { id } = await wire.negotiate('/testhub');
          const url = wire.connectionUrl('/testhub', id);
          const stream = await wire.sse(url);
          await wire.request(url, { method: 'POST', body: handshakeRequest('json', 1) });
          await stream.waitFor((record) => record.handshake);
          const start = Date.now();
          await stream.waitFor(ofType(6), PING_WAIT_MS, 'the first Ping (SSE)');
          return { elapsed: Date.now() - start, raw: stream.raw };
        })();
        const longPolling = (async () => {
          const { id } = await wire.negotiate('/testhub');
          const polling = wire.longPolling('/testhub', id);
          await polling.poll();
          await polling.send(handshakeRequest('json', 1));
          ctx.expect((await polling.poll()).text).toBe(`{}${RS}`);
          let answered = false;
          const pending = polling.poll().then((response) => {
            answered = true;
            return response;
          });
          await delay(17_000);
          const stillPending = !answered;
          ctx.expect((await polling.delete()).status).toBe(202);
          await pending;
          return stillPending;
        })();
        const [ping, stillPending] = await Promise.all([sse, longPolling]);
        ctx.expect(ping.elapsed).toBeGreaterThanOrEqual(EARLIEST_PING_MS);
        ctx.expect(ping.raw.endsWith(`data: {"type":6}${RS}\r\n\r\n`)).toBe(true);
        ctx.expect(stillPending).toBe(true);
      },
    );
  });
});
