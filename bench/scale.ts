/**
 * Scale-out (`npm run bench -- scale`): 2,000 hubrx clients (Node, WebSockets, JSON, a cookie jar each) through HAProxy
 * with sticky sessions to two instances of the ASP.NET Core chat server with the Redis backplane, each client in a
 * room of 50 (40 rooms) posting one room message a second. Reported: fan-out latency (from the sender's call to each
 * member's `roomMessage`, all in this process: one clock), room messages sent and delivered per second, memory per
 * connection on each instance (GC heap and working set over the instance's idle figure, per open connection); then the
 * same after one instance is killed and its clients have moved (how long that took, and the deliveries lost in flight),
 * and with one instance holding all 2,000 from the start. Not a test: figures to read, nothing asserted.
 * `HUBRX_SCALE_CLIENTS` changes the number of clients (a multiple of 50).
 */
import { createHmac } from 'node:crypto';
import { createHubConnection, exponentialBackoff, outbox, type HubConnection } from '@hubrx/core';
import { cookieFetch, nodeWebSocket } from '@hubrx/core/node';
import { TEST_SIGNING_KEY } from '@hubrx/mock-server';
import { CookieJar } from 'tough-cookie';
import { WebSocket } from 'ws';
import { onConnectionLost } from '../examples/chat/shared/chat.js';
import type { ChatClient, ChatServer } from '../examples/chat/shared/contract.js';
import { startCluster, type Cluster } from '../test/scale/support/cluster.js';
import { haproxyPath } from '../test/support/balancer.js';
import { dotnetAvailable } from '../test/support/dotnet-server.js';
import { redisServerPath } from '../test/support/redis.js';

const CLIENTS = Number(process.env.HUBRX_SCALE_CLIENTS ?? 2_000);
const ROOM_SIZE = 50;
const ROOMS = Array.from(
  { length: Math.ceil(CLIENTS / ROOM_SIZE) },
  (_, i) => `r${String(i + 1).padStart(3, '0')}`,
);
const CONNECT_CONCURRENCY = 50;
const WARM_UP_MS = 5_000;
const MEASURE_MS = 15_000;

type Chat = HubConnection<ChatServer, ChatClient>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
function token(user: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify({ sub: user, iat: now, exp: now + 7200 }))}`;
  return `${input}.${createHmac('sha256', TEST_SIGNING_KEY).update(input).digest('base64url')}`;
}

interface Client {
  readonly index: number;
  readonly room: string;
  readonly connection: Chat;
  /** Set once JoinRoom completed on the current connection (cleared when the connection is lost). */
  joined: boolean;
}

/** What the receivers saw: fan-out latencies of the current window, and deliveries per message. */
class Stats {
  latencies: number[] = [];
  delivered = 0;
  sent = 0;
  failedSends = 0;
  /** Why sends failed, by message. */
  readonly failures = new Map<string, number>();
  /** Deliveries per message id, kept while `track` is on (the kill phase). */
  readonly perMessage = new Map<string, number>();
  track = false;
  /** Messages the server accepted (the sender's call completed) while tracking, and when. */
  readonly acked = new Map<string, number>();

  reset(): void {
    this.latencies = [];
    this.delivered = 0;
    this.sent = 0;
    this.failedSends = 0;
  }
}

async function connectAll(cluster: Cluster, stats: Stats): Promise<Client[]> {
  const clients: Client[] = [];
  const open = async (index: number) => {
    const jar = new CookieJar();
    const connection: Chat = createHubConnection<ChatServer, ChatClient>({
      url: `${cluster.balancer.stickyUrl}/hubs/chat`,
      transports: ['webSockets'],
      fetch: cookieFetch(jar),
      WebSocket: nodeWebSocket(WebSocket, { cookieJar: jar }),
      accessTokenFactory: () => token(`u${String(index).padStart(5, '0')}`),
      reconnect: exponentialBackoff({ initialMs: 500, maxMs: 5_000 }),
      outbox: outbox(),
      timeoutMs: 30_000,
    });
    const client: Client = { index, room: ROOMS[index % ROOMS.length]!, connection, joined: false };
    connection.on('roomMessage').subscribe(([message]) => {
      const sentAt = Number(message.text.slice(message.text.lastIndexOf(':') + 1));
      stats.latencies.push(Date.now() - sentAt);
      stats.delivered++;
      if (stats.track) stats.perMessage.set(message.text, (stats.perMessage.get(message.text) ?? 0) + 1);
    });
    // The chat app's rejoin: JoinRoom as soon as the connection is lost, waiting in the outbox.
    onConnectionLost(connection, () => {
      client.joined = false;
      connection.invoke('JoinRoom', client.room).then(
        () => (client.joined = true),
        () => undefined,
      );
    });
    await connection.start({ retry: true });
    // A connection lost meanwhile fails the call; the outbox holds the next one until the client is back.
    for (;;) {
      try {
        await connection.invoke('JoinRoom', client.room);
        break;
      } catch {
        await sleep(200);
      }
    }
    client.joined = true;
    clients.push(client);
  };
  for (let i = 0; i < CLIENTS; i += CONNECT_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_CONCURRENCY, CLIENTS - i) }, (_, j) => open(i + j)),
    );
  }
  return clients;
}

/** Each client posts a room message once a second, spread over the second. Returns the stop function. */
function startSending(clients: readonly Client[], stats: Stats): () => Promise<void> {
  let running = true;
  const loops = clients.map(async (client) => {
    await sleep((client.index / clients.length) * 1000);
    for (let seq = 0; running; seq++) {
      const started = Date.now();
      if (client.connection.state.status === 'connected' && client.joined) {
        const text = `${client.index}:${seq}:${started}`;
        stats.sent++;
        client.connection.invoke('SendToRoom', client.room, text).then(
          () => {
            if (stats.track) stats.acked.set(text, Date.now());
          },
          (error: unknown) => {
            stats.failedSends++;
            const why = (error as Error).message;
            stats.failures.set(why, (stats.failures.get(why) ?? 0) + 1);
          },
        );
      }
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

interface Memory {
  readonly instance: string;
  readonly connections: number;
  readonly gcHeapBytes: number;
  readonly workingSetBytes: number;
}

async function memory(cluster: Cluster): Promise<Memory[]> {
  const live = cluster.instances.filter((instance) => instance.server !== undefined);
  return Promise.all(
    live.map(async ({ name, url }) => {
      const d = (await (await fetch(`${url}/api/diagnostics?after=${Number.MAX_SAFE_INTEGER}`)).json()) as {
        openConnections: number;
        memory: { gcHeapBytes: number; workingSetBytes: number };
      };
      return { instance: name, connections: d.openConnections, ...d.memory };
    }),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Window {
  readonly p50: number;
  readonly p99: number;
  readonly sentPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly failedSends: number;
}

async function measure(stats: Stats): Promise<Window> {
  await sleep(WARM_UP_MS);
  stats.reset();
  await sleep(MEASURE_MS);
  const sorted = Float64Array.from(stats.latencies).sort();
  return {
    p50: percentile(Array.from(sorted), 50),
    p99: percentile(Array.from(sorted), 99),
    sentPerSecond: stats.sent / (MEASURE_MS / 1000),
    deliveredPerSecond: stats.delivered / (MEASURE_MS / 1000),
    failedSends: stats.failedSends,
  };
}

function perConnection(after: readonly Memory[], idle: readonly Memory[]): string {
  return after
    .map((m) => {
      const before = idle.find((i) => i.instance === m.instance);
      if (before === undefined || m.connections === 0) return `${m.instance}: -`;
      const heap = (m.gcHeapBytes - before.gcHeapBytes) / m.connections / 1024;
      const ws = (m.workingSetBytes - before.workingSetBytes) / m.connections / 1024;
      return `${m.instance}: ${m.connections} conns, ${heap.toFixed(1)} KB heap + ${ws.toFixed(0)} KB working set each`;
    })
    .join('; ');
}

function row(label: string, w: Window, mem: string): string {
  return `| ${label} | ${w.p50.toFixed(0)} ms | ${w.p99.toFixed(0)} ms | ${w.sentPerSecond.toFixed(0)} | ${w.deliveredPerSecond.toFixed(0)} | ${w.failedSends} | ${mem} |`;
}

async function run(names: readonly string[], killOne: boolean): Promise<string[]> {
  const cluster = await startCluster({
    names,
    instanceTimeoutMs: 3_000,
    // Gentle health checks: under this load a check may wait, and a healthy instance must not be taken out.
    health: { intervalMs: 1_000, fall: 3, timeoutMs: 10_000 },
    extraArgs: ['--rooms', ROOMS.join(','), '--token-lifetime', '7200'],
  });
  const rows: string[] = [];
  const stats = new Stats();
  let clients: Client[] = [];
  let stop: (() => Promise<void>) | undefined;
  try {
    const idle = await memory(cluster);
    const connectStarted = Date.now();
    clients = await connectAll(cluster, stats);
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    stop = startSending(clients, stats);
    const steady = await measure(stats);
    if (stats.failures.size > 0) console.log('failed sends:', Object.fromEntries(stats.failures));
    rows.push(
      row(
        `${clients.length} clients on ${names.length} instance${names.length > 1 ? 's' : ''} (connected in ${connectSeconds.toFixed(0)} s)`,
        steady,
        perConnection(await memory(cluster), idle),
      ),
    );
    if (killOne) {
      const victim = names[names.length - 1]!;
      stats.track = true;
      await sleep(2_000);
      const killedAt = Date.now();
      await cluster.kill(victim);
      // Everyone connected again and in its room.
      while (!clients.every((c) => c.connection.state.status === 'connected' && c.joined)) {
        if (Date.now() - killedAt > 120_000)
          throw new Error('the clients did not all come back within 120 s');
        await sleep(100);
      }
      const movedMs = Date.now() - killedAt;
      await sleep(3_000);
      stats.track = false;
      // Deliveries lost in flight: every message the server accepted around the kill should have reached its 50.
      let expected = 0;
      let received = 0;
      for (const [text] of stats.acked) {
        expected += ROOM_SIZE;
        received += stats.perMessage.get(text) ?? 0;
      }
      const after = await measure(stats);
      rows.push(
        row(
          `after ${victim} was killed: ${clients.length} clients on the rest (moved in ${(movedMs / 1000).toFixed(1)} s; ${expected - received} of ${expected} deliveries lost in flight, ${stats.acked.size} messages)`,
          after,
          perConnection(await memory(cluster), idle),
        ),
      );
    }
  } finally {
    await stop?.();
    await Promise.allSettled(clients.map((c) => c.connection.stop()));
    await cluster.stop();
  }
  return rows;
}

export async function scaleBenchmark(): Promise<void> {
  const missing = [
    dotnetAvailable() ? undefined : 'dotnet',
    redisServerPath() === undefined ? 'redis-server' : undefined,
    haproxyPath() === undefined ? 'haproxy' : undefined,
  ].filter((part) => part !== undefined);
  if (missing.length > 0) {
    console.log(`\nScale-out: skipped (${missing.join(', ')} not found)`);
    return;
  }
  console.log(
    `\nScale-out: ${CLIENTS} hubrx clients (Node, WebSockets, JSON) through HAProxy (sticky) to the ASP.NET Core chat server with the Redis backplane; rooms of ${ROOM_SIZE}, one message a second each; ${MEASURE_MS / 1000} s windows after ${WARM_UP_MS / 1000} s of warm-up`,
  );
  const rows = [...(await run(['a', 'b'], true)), ...(await run(['a'], false))];
  console.log(
    '| setup | fan-out p50 | fan-out p99 | sent/s | delivered/s | failed sends | memory per connection |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const line of rows) console.log(line);
}

process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection in the scale bench:', reason);
});
