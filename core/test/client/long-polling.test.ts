// A connection over Long Polling: no keep-alive (pings, server timeout), and sends coalesced into one POST in flight.
import { describe, expect, it } from 'vitest';
import { createHubConnection } from '../../src/client/hub-connection.js';
import type { HubConnectionOptions } from '../../src/client/options.js';
import type { ConnectionState } from '../../src/client/state.js';
import { MessageType } from '../../src/protocol/messages.js';
import { connected, harness } from '../support/connection.js';
import { FakeLongPollingServer } from '../support/fake-long-polling-server.js';
import { flush, VirtualClock } from '../support/virtual-clock.js';

const keepAlive = { keepAliveIntervalMs: 100, serverTimeoutMs: 300 } as const;

function longPolling(options: Partial<HubConnectionOptions> = {}) {
  const clock = new VirtualClock();
  const server = new FakeLongPollingServer();
  const connection = createHubConnection({
    url: 'http://hub.test/chat',
    transports: ['longPolling'],
    fetch: server.fetch,
    clock,
    ...options,
  });
  const states: ConnectionState[] = [];
  connection.state$.subscribe((state) => states.push(state));
  const statuses = () => [...new Set(states.map((state) => state.status))];
  return { clock, server, connection, states, statuses };
}

describe('keep-alive and Long Polling', () => {
  it('sends no Ping and never times out the server, over 50 keep-alive intervals of silence', async () => {
    const { clock, server, connection, statuses } = longPolling(keepAlive);
    await connection.start();
    expect(connection.state.transport).toBe('longPolling');
    for (let i = 0; i < 50; i++) await clock.advance(keepAlive.keepAliveIntervalMs);

    expect(server.sent(MessageType.Ping)).toEqual([]);
    expect(connection.state).toMatchObject({ status: 'connected', lastError: null });
    expect(statuses()).toEqual(['disconnected', 'connecting', 'connected']);
    // Still the same, working connection: one negotiate, and a call completes.
    expect(server.requests.filter((r) => r.url.pathname.endsWith('/negotiate'))).toHaveLength(1);
    expect(await connection.invoke('Echo', 'alive')).toBe('alive');
    expect(server.sent(MessageType.Ping)).toEqual([]);
    await connection.stop();
    expect(server.count('DELETE')).toBe(1);
  });

  it('while a WebSocket connection with the same settings pings every interval', async () => {
    const h = harness(keepAlive);
    await connected(h);
    expect(h.connection.state.transport).toBe('webSockets');
    // The server answers with its own pings, so the connection stays up while the client keeps pinging.
    for (let i = 0; i < 50; i++) {
      await h.clock.advance(keepAlive.keepAliveIntervalMs);
      h.server.send({ type: MessageType.Ping });
    }
    expect(h.server.sent(MessageType.Ping).length).toBeGreaterThan(10);
    expect(h.connection.state.status).toBe('connected');
    await h.connection.stop();
  });

  it('and a silent server over WebSockets times out with those settings', async () => {
    const h = harness({ ...keepAlive, reconnect: () => null });
    await connected(h);
    await h.clock.advance(keepAlive.serverTimeoutMs);
    expect(h.connection.state.status).toBe('disconnected');
    expect(h.connection.state.lastError).toMatchObject({ name: 'TimeoutError', timeoutMs: 300 });
  });
});

describe('sending over Long Polling', () => {
  it('sends made while a POST is in flight go out as ONE POST, in order', async () => {
    const { server, connection } = longPolling();
    await connection.start();
    await flush();
    const before = server.count('POST');
    let release!: () => void;
    server.postGate = new Promise((resolve) => (release = resolve));
    const first = connection.send('Echo', 'a');
    await flush();
    expect(server.count('POST')).toBe(before + 1);
    const rest = ['b', 'c', 'd'].map((text) => connection.send('Echo', text));
    await flush();
    expect(server.count('POST')).toBe(before + 1);

    server.postGate = undefined;
    release();
    await Promise.all([first, ...rest]);
    await flush();
    const posts = server.requests.filter((r) => r.method === 'POST').slice(-2);
    expect(server.count('POST')).toBe(before + 2);
    const texts = (body: string | undefined) =>
      server.protocol.parse(body!).map((m) => (m.type === MessageType.Invocation ? m.arguments[0] : m.type));
    expect(texts(posts[0]!.body)).toEqual(['a']);
    expect(texts(posts[1]!.body)).toEqual(['b', 'c', 'd']);
    await connection.stop();
  });
});
