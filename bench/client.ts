/**
 * Client: hubrx's HubConnection against the official @microsoft/signalr HubConnection, both in this process, on
 * one mock server in another process (so that the server's work does not share the clients' event loop), over
 * WebSockets. Both clients get the same WebSocket implementation (`ws` 8), so the figures compare the clients'
 * own code.
 *
 * Receiving (events, stream items) is measured on a backlog: the client's TCP socket stops reading, the server
 * writes all `count` messages (one per frame) and goes idle, then reading resumes and the clock runs until the
 * last message reached the subscriber. Measured live instead, both clients would only show the server's pace:
 * the mock server writes about 150 k Blast events/s, which a client that merely counts `ws` frames keeps up with.
 *
 * Every round measures both clients, in alternating order, on connections opened once per client and protocol;
 * the reported ratio is the median of the per-round ratios (hubrx ÷ official), with their spread.
 */
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import {
  HttpTransportType,
  HubConnectionBuilder,
  JsonHubProtocol,
  LogLevel,
  type HubConnection as OfficialConnection,
  type IHttpConnectionOptions,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { createHubConnection, jsonHubProtocol, noReconnect, type HubConnection } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { WebSocket } from 'ws';
import { startMockServerProcess } from './server-process.js';

type ProtocolName = 'json' | 'messagepack';
type ClientName = 'hubrx' | 'official';

const ROUNDS = Number(process.env.HUBRX_BENCH_ROUNDS ?? 9);
const WARMUP_ROUNDS = 2;
/** Events per Blast sample, items per Counter sample, invocations per in-flight sample. */
const EVENTS = Number(process.env.HUBRX_BENCH_EVENTS ?? 100_000);
const ITEMS = Number(process.env.HUBRX_BENCH_ITEMS ?? 100_000);
const INVOCATIONS = Number(process.env.HUBRX_BENCH_INVOCATIONS ?? 10_000);
const IN_FLIGHT = 100;
const PAYLOAD_SIZE = 16;
const CONNECTS_PER_SAMPLE = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages on their way to a subscriber: `done` once all arrived; `received` counts them so far. */
interface Flow {
  readonly done: Promise<unknown>;
  readonly received: () => number;
}

/** What the benchmark does with one client on one open connection. */
interface Session {
  /** The connection's TCP socket, whose reading is held while the server writes a backlog. */
  readonly socket: Socket;
  /** Blast(count, payloadSize), counting Ticks in an `on('Tick')` subscriber; done with the last Tick. */
  blast(count: number, payloadSize: number): Flow;
  /** Counter(count, 0); done when the stream completes. */
  counter(count: number): Flow;
  /** Add(i, 1) `total` times, `width` invocations in flight at any time. */
  invokeMany(total: number, width: number): Promise<void>;
  stop(): Promise<void>;
}

interface Driver {
  readonly name: ClientName;
  /** Creates a connection (not timed) and returns how to start and stop it. */
  create(url: string, protocol: ProtocolName): { start(): Promise<void>; stop(): Promise<void> };
  open(url: string, protocol: ProtocolName): Promise<Session>;
}

/** How both clients construct sockets: `new WebSocket(url, protocols, { headers })`. */
type WebSocketClass = new (
  url: string,
  protocols?: string | string[],
  options?: WebSocket.ClientOptions,
) => WebSocket;

/** `ws`'s WebSocket, remembering the sockets it made (to reach their TCP sockets). */
function recordingWebSocket(): { WebSocket: WebSocketClass; made: WebSocket[] } {
  const made: WebSocket[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options);
      made.push(this);
    }
  }
  return { WebSocket: RecordingWebSocket, made };
}

function tcpSocket(made: readonly WebSocket[]): Socket {
  const socket = (made.at(-1) as unknown as { _socket?: Socket } | undefined)?._socket;
  if (socket === undefined) throw new Error('No open WebSocket to measure on.');
  return socket;
}

/** Counts events; `expect(n)` starts over and resolves at the n-th. */
function eventCounter(): { count(): void; expect(n: number): Flow } {
  let received = 0;
  let expected = Infinity;
  let reached: (() => void) | undefined;
  return {
    count() {
      if (++received === expected) reached?.();
    },
    expect(n) {
      received = 0;
      expected = n;
      return { done: new Promise<void>((resolve) => (reached = resolve)), received: () => received };
    },
  };
}

/** A call's result together with its events: done once both are. */
function withEvents(call: PromiseLike<unknown>, events: Flow): Flow {
  return { done: Promise.all([call, events.done]), received: events.received };
}

/** Subscribes to a stream (either client's: both take an observer with next/error/complete). */
function streamFlow(
  subscribe: (observer: { next(): void; error(e: unknown): void; complete(): void }) => void,
) {
  let n = 0;
  const done = new Promise<void>((resolve, reject) =>
    subscribe({ next: () => void n++, error: reject, complete: resolve }),
  );
  return { done, received: () => n };
}

async function inFlight(total: number, width: number, call: (i: number) => PromiseLike<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < total) await call(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

function hubrx(url: string, protocol: ProtocolName, socket: WebSocketClass = WebSocket): HubConnection {
  return createHubConnection({
    url: `${url}/testhub`,
    transports: ['webSockets'],
    protocol: protocol === 'json' ? jsonHubProtocol() : messagePackHubProtocol(),
    WebSocket: socket,
    reconnect: noReconnect(),
  });
}

const ours: Driver = {
  name: 'hubrx',
  create(url, protocol) {
    const connection = hubrx(url, protocol);
    return { start: () => connection.start(), stop: () => connection.stop() };
  },
  async open(url, protocol) {
    const sockets = recordingWebSocket();
    const connection = hubrx(url, protocol, sockets.WebSocket);
    const ticks = eventCounter();
    connection.on('Tick').subscribe(() => ticks.count());
    await connection.start();
    return {
      socket: tcpSocket(sockets.made),
      blast: (count, payloadSize) => {
        const events = ticks.expect(count);
        return withEvents(connection.invoke('Blast', count, payloadSize), events);
      },
      counter: (count) =>
        streamFlow((observer) => connection.stream('Counter', count, 0).subscribe(observer)),
      invokeMany: (total, width) => inFlight(total, width, (i) => connection.invoke('Add', i, 1)),
      stop: () => connection.stop(),
    };
  },
};

function official(
  url: string,
  protocol: ProtocolName,
  socket: WebSocketClass = WebSocket,
): OfficialConnection {
  return new HubConnectionBuilder()
    .withUrl(`${url}/testhub`, {
      transport: HttpTransportType.WebSockets,
      // Honoured by HttpConnection (and used by the official functional tests), though not in the public type.
      WebSocket: socket,
    } as IHttpConnectionOptions)
    .withHubProtocol(protocol === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol())
    .configureLogging(LogLevel.None)
    .build();
}

const theirs: Driver = {
  name: 'official',
  create(url, protocol) {
    const connection = official(url, protocol);
    return { start: () => connection.start(), stop: () => connection.stop() };
  },
  async open(url, protocol) {
    const sockets = recordingWebSocket();
    const connection = official(url, protocol, sockets.WebSocket);
    const ticks = eventCounter();
    connection.on('Tick', () => ticks.count());
    await connection.start();
    return {
      socket: tcpSocket(sockets.made),
      blast: (count, payloadSize) => {
        const events = ticks.expect(count);
        return withEvents(connection.invoke('Blast', count, payloadSize), events);
      },
      counter: (count) =>
        streamFlow((observer) => connection.stream('Counter', count, 0).subscribe(observer)),
      invokeMany: (total, width) => inFlight(total, width, (i) => connection.invoke('Add', i, 1)),
      stop: () => connection.stop(),
    };
  },
};

const drivers: Record<ClientName, Driver> = { hubrx: ours, official: theirs };

// ---- measuring ------------------------------------------------------------------------------------------------

/** The process's state (`R` running, `S` sleeping...) and the CPU time (clock ticks) it has used so far. */
function processStat(pid: number): { state: string; ticks: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the parenthesised command name, from the 3rd (state); utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, ticks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * Waits until the server process has written everything: asleep, and no CPU used, for three polls in a row (on a
 * busy machine a server that is merely waiting for a core shows as running).
 */
async function serverIdle(pid: number): Promise<void> {
  let last = processStat(pid).ticks;
  let quiet = 0;
  const deadline = performance.now() + 30_000;
  while (quiet < 3) {
    if (performance.now() > deadline) throw new Error('The mock server did not go idle within 30 s.');
    await sleep(20);
    const now = processStat(pid);
    quiet = now.ticks === last && now.state === 'S' ? quiet + 1 : 0;
    last = now.ticks;
  }
}

/**
 * Holds the session's reading, starts the flow, waits for the server to write it all, then times the client
 * taking in the backlog: returns messages per second.
 */
async function drain(serverPid: number, session: Session, start: () => Flow, count: number): Promise<number> {
  session.socket.pause();
  let flow: Flow;
  try {
    flow = start();
    await serverIdle(serverPid);
  } finally {
    session.socket.resume();
  }
  const t0 = performance.now();
  if (flow.received() !== 0) throw new Error('Messages arrived while the socket was held.');
  await flow.done;
  const seconds = (performance.now() - t0) / 1e3;
  if (flow.received() !== count) throw new Error(`Received ${flow.received()} of ${count} messages.`);
  return count / seconds;
}

interface Metric {
  readonly name: string;
  /** `rate`: per second, higher is better. `time`: milliseconds, lower is better. Ratio: hubrx ÷ official. */
  readonly kind: 'rate' | 'time';
  readonly unit: string;
  /** Minimum ratio (rate) or maximum ratio (time). */
  readonly target: number;
  /** One sample with one client: per second (rate) or milliseconds (time). */
  sample(client: ClientName): Promise<number>;
}

interface MetricResult {
  readonly metric: Metric;
  readonly ours: number;
  readonly official: number;
  readonly ratio: number;
  readonly ratios: readonly number[];
  readonly met: boolean;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

const median = (values: readonly number[]) => quantile(values, 0.5);

async function measure(metric: Metric): Promise<MetricResult> {
  const samples: Record<ClientName, number[]> = { hubrx: [], official: [] };
  const ratios: number[] = [];
  for (let round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
    // Alternate who goes first, so that neither always runs on the heap or the server state the other left.
    const order: ClientName[] = round % 2 === 0 ? ['official', 'hubrx'] : ['hubrx', 'official'];
    const values = { hubrx: 0, official: 0 };
    for (const client of order) values[client] = await metric.sample(client);
    if (round < 0) continue;
    samples.hubrx.push(values.hubrx);
    samples.official.push(values.official);
    ratios.push(values.hubrx / values.official);
  }
  const ratio = median(ratios);
  return {
    metric,
    ours: median(samples.hubrx),
    official: median(samples.official),
    ratio,
    ratios,
    met: metric.kind === 'rate' ? ratio >= metric.target : ratio <= metric.target,
  };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function format(value: number, kind: Metric['kind']): string {
  if (kind === 'time') return value.toFixed(2);
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

const spread = (ratios: readonly number[]) =>
  `${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}`;

function report(results: readonly MetricResult[]): void {
  console.log(
    `\nClient over WebSockets: hubrx vs @microsoft/signalr, same mock server (own process), same ws; ${ROUNDS} ` +
      `rounds after ${WARMUP_ROUNDS} warm-up, alternating; ratio = hubrx ÷ official, median of per-round ratios`,
  );
  console.table(
    results.map(({ metric, ...r }) => ({
      metric: metric.name,
      official: `${format(r.official, metric.kind)} ${metric.unit}`,
      hubrx: `${format(r.ours, metric.kind)} ${metric.unit}`,
      ratio: `${r.ratio.toFixed(2)}x`,
      IQR: spread(r.ratios),
      'min–max': `${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)}`,
      target: `${metric.kind === 'rate' ? '>=' : '<='} ${metric.target}x`,
      result: r.met ? 'PASS' : 'MISS',
    })),
  );
  for (const { metric, ...r } of results) {
    console.log(
      `${r.met ? 'PASS' : 'MISS'} ${metric.name}: hubrx ${format(r.ours, metric.kind)} ${metric.unit}, ` +
        `official ${format(r.official, metric.kind)} ${metric.unit}, ratio ${r.ratio.toFixed(2)}x ` +
        `(IQR ${spread(r.ratios)}), target ${metric.kind === 'rate' ? '>=' : '<='} ${metric.target}x`,
    );
  }
}

function metrics(
  serverUrl: string,
  serverPid: number,
  protocol: ProtocolName,
  open: Record<ClientName, Session>,
) {
  const label = protocol === 'json' ? 'JSON' : 'MessagePack';
  const list: Metric[] = [
    {
      name: `events (Blast, 1/frame, ${PAYLOAD_SIZE}-char payload), ${label}`,
      kind: 'rate',
      unit: 'events/s',
      target: protocol === 'json' ? 2 : 1.7,
      sample: (client) =>
        drain(serverPid, open[client], () => open[client].blast(EVENTS, PAYLOAD_SIZE), EVENTS),
    },
    {
      name: `stream items (Counter, 0 ms), ${label}`,
      kind: 'rate',
      unit: 'items/s',
      target: 1.7,
      sample: (client) => drain(serverPid, open[client], () => open[client].counter(ITEMS), ITEMS),
    },
  ];
  if (protocol === 'json') {
    list.push(
      {
        name: `invoke (Add, ${IN_FLIGHT} in flight), ${label}`,
        kind: 'rate',
        unit: 'calls/s',
        target: 1,
        sample: async (client) =>
          INVOCATIONS / ((await timed(() => open[client].invokeMany(INVOCATIONS, IN_FLIGHT))) / 1e3),
      },
      {
        name: `connect (negotiate, WebSocket, handshake), ${label}`,
        kind: 'time',
        unit: 'ms',
        target: 0.6,
        sample: async (client) => {
          const times: number[] = [];
          for (let i = 0; i < CONNECTS_PER_SAMPLE; i++) {
            const connection = drivers[client].create(serverUrl, protocol);
            times.push(await timed(() => connection.start()));
            await connection.stop();
          }
          return median(times);
        },
      },
    );
  }
  return list;
}

export async function clientBenchmark(): Promise<void> {
  const server = await startMockServerProcess();
  const sessions: Session[] = [];
  try {
    const results: MetricResult[] = [];
    for (const protocol of ['json', 'messagepack'] as const) {
      const open = {
        official: await theirs.open(server.url, protocol),
        hubrx: await ours.open(server.url, protocol),
      };
      sessions.push(open.official, open.hubrx);
      for (const metric of metrics(server.url, server.pid, protocol, open))
        results.push(await measure(metric));
      for (const session of sessions.splice(0)) await session.stop();
    }
    report(results);
  } finally {
    await Promise.allSettled(sessions.map((session) => session.stop()));
    await server.stop();
  }
}
