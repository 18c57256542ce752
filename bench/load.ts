/**
 * Load: 10,000 concurrent WebSocket hub connections on one server, then broadcasts that must reach all of them.
 * Measured on the mock server and, where `dotnet` is installed, on the ASP.NET Core reference server, with the
 * same raw client (the `ws` package: handshake, then counting Broadcast frames). The client runs in this process,
 * each server in its own, so the servers' memory is measured alone (RSS from /proc).
 */
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { dotnetAvailable, startReferenceServer } from '../test/support/dotnet-server.js';
import { startMockServerProcess } from './server-process.js';

const CONNECTIONS = Number(process.env.HUBRX_LOAD_CONNECTIONS ?? 10_000);
const OPEN_CONCURRENCY = 200;
const BROADCASTS = 20;
const HANDSHAKE = '{"protocol":"json","version":1}\x1e';
const MARK = Buffer.from('"target":"Broadcast"');

export interface LoadResult {
  readonly server: string;
  readonly connections: number;
  readonly connectSeconds: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly kbPerConnection: number;
  readonly singleBroadcastMs: number;
  readonly deliveredPerSecond: number;
  readonly delivered: number;
  readonly expected: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Clients {
  readonly sockets: WebSocket[];
  received: number;
}

function openOne(url: string, clients: Clients): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let handshaken = false;
    socket.on('open', () => socket.send(HANDSHAKE));
    socket.on('message', (data: Buffer) => {
      if (!handshaken) {
        handshaken = true;
        resolve(socket);
      }
      // Count Broadcast frames (a frame may carry several messages).
      let at = data.indexOf(MARK);
      while (at !== -1) {
        clients.received++;
        at = data.indexOf(MARK, at + MARK.length);
      }
    });
    socket.on('error', reject);
  });
}

async function openAll(url: string, count: number, clients: Clients): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      clients.sockets.push(await openOne(url, clients));
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

async function measure(name: string, server: { url: string; pid: number | undefined }): Promise<LoadResult> {
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/testhub`;
  const clients: Clients = { sockets: [], received: 0 };
  await sleep(500);
  const rssBefore = server.pid === undefined ? 0 : rssMb(server.pid);
  const started = performance.now();
  await openAll(wsUrl, CONNECTIONS, clients);
  const connectSeconds = (performance.now() - started) / 1000;
  await sleep(1000);
  const rssAfter = server.pid === undefined ? 0 : rssMb(server.pid);
  const sender = clients.sockets[0]!;

  // One broadcast: the time until every connection has it.
  clients.received = 0;
  let t0 = performance.now();
  sender.send('{"type":1,"target":"Broadcast","arguments":["one"]}\x1e');
  await waitFor(() => clients.received >= CONNECTIONS, 60_000);
  const singleBroadcastMs = performance.now() - t0;

  // Many: non-blocking invocations back to back, each fanned out to every connection.
  clients.received = 0;
  const expected = CONNECTIONS * BROADCASTS;
  t0 = performance.now();
  let frame = '';
  for (let i = 0; i < BROADCASTS; i++) frame += `{"type":1,"target":"Broadcast","arguments":["m${i}"]}\x1e`;
  sender.send(frame);
  await waitFor(() => clients.received >= expected, 120_000);
  const seconds = (performance.now() - t0) / 1000;

  for (const socket of clients.sockets) socket.terminate();
  return {
    server: name,
    connections: clients.sockets.length,
    connectSeconds,
    rssBeforeMb: rssBefore,
    rssAfterMb: rssAfter,
    kbPerConnection: ((rssAfter - rssBefore) * 1024) / clients.sockets.length,
    singleBroadcastMs,
    deliveredPerSecond: clients.received / seconds,
    delivered: clients.received,
    expected,
  };
}

export async function loadBenchmark(): Promise<void> {
  const results: LoadResult[] = [];
  const mock = await startMockServerProcess();
  try {
    results.push(await measure('hubrx mock server', mock));
  } finally {
    await mock.stop();
  }
  if (dotnetAvailable()) {
    const reference = await startReferenceServer();
    try {
      results.push(await measure('ASP.NET Core 10 (reference)', reference));
    } finally {
      await reference.stop();
    }
  } else {
    console.log('(dotnet not found: ASP.NET Core not measured)');
  }
  console.log(
    `\nLoad: ${CONNECTIONS} WebSocket connections (JSON), then 1 and ${BROADCASTS} broadcasts to all; server RSS from /proc`,
  );
  console.table(
    results.map((r) => ({
      server: r.server,
      connections: r.connections,
      'connect (s)': r.connectSeconds.toFixed(1),
      'RSS before → after (MB)': `${r.rssBeforeMb.toFixed(0)} → ${r.rssAfterMb.toFixed(0)}`,
      'KB / connection': r.kbPerConnection.toFixed(1),
      '1 broadcast to all (ms)': r.singleBroadcastMs.toFixed(0),
      'broadcast msgs/s': `${(r.deliveredPerSecond / 1000).toFixed(0)} k`,
      delivered: `${r.delivered}/${r.expected}`,
    })),
  );
}
