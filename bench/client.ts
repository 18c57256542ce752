/**
 * Client: hubrx's HubConnection against the official @microsoft/signalr HubConnection on one mock server, over
 * WebSockets. Both clients get the same WebSocket implementation (`ws` 8, default options), the same `fetch`
 * (Node's), no logging, and no option the other lacks, so the figures compare the clients' own code.
 *
 * Both run as users run them:
 * - Each client runs in a process of its own (bench/client-worker.ts), as in an app, driven over IPC one command
 *   at a time; the mock server has a process of its own too, so no two of them share an event loop or a heap.
 *   In one shared process each client's JIT feedback and GC pacing depend on the other's (`ws` and Node's
 *   stream code serve both): on Blast, hubrx measured ~10% slower there than alone and the official client ~15%
 *   faster, while the invoke ratio moved the other way (1.10 shared, 1.04 apart). Neither is what an app sees.
 * - The official client runs its published JS (`dist/cjs`, untouched by tsx). hubrx runs as an app build ships
 *   it: core's sources bundled by esbuild (bench/built-core.ts), not loaded through tsx, whose `keepNames` wraps
 *   every closure a call creates in a `__name()` call that no build has (that alone made an awaited invoke ~50%
 *   more expensive).
 *
 * Receiving (events, stream items) is measured on a backlog: the client's TCP socket stops reading, the server
 * writes all `count` messages (one per frame) and goes idle, then reading resumes and the clock runs until the
 * last message reached the subscriber. Measured live instead, both clients would only show the server's pace:
 * the mock server writes about 150 k Blast events/s, which a client that merely counts `ws` frames keeps up with.
 * The drain is client-bound (its event loop never waits for data), but not all client code: `ws` costs the same
 * ~0.5 µs per frame under either client, and on loopback the kernel work of moving the rest of the backlog (most of
 * it is still in the server's send queue and buffers when reading resumes) partly runs on the reading side. Both
 * clients pay these alike, so they narrow the ratios rather than tilt them.
 *
 * Every round measures both clients, in alternating order, on connections opened once per client and protocol;
 * the reported ratio is the median of the per-round ratios (hubrx ÷ official), with their spread. Single rounds
 * vary by ±20% or more on a shared 2-core VM: read medians over the default 9 rounds, not quick runs.
 */
import { spawn } from 'node:child_process';
import type { ClientName, Command, ProtocolName } from './client-worker.js';
import { startMockServerProcess } from './server-process.js';

const ROUNDS = Number(process.env.HUBRX_BENCH_ROUNDS ?? 9);
const WARMUP_ROUNDS = 2;
/** Events per Blast sample, items per Counter sample, invocations per in-flight sample. */
const EVENTS = Number(process.env.HUBRX_BENCH_EVENTS ?? 100_000);
const ITEMS = Number(process.env.HUBRX_BENCH_ITEMS ?? 100_000);
const INVOCATIONS = Number(process.env.HUBRX_BENCH_INVOCATIONS ?? 10_000);
const IN_FLIGHT = 100;
const PAYLOAD_SIZE = 16;
const CONNECTS_PER_SAMPLE = 15;

/** A client's process (bench/client-worker.ts), which runs one command at a time. */
interface ClientProcess {
  run(command: Command): Promise<number>;
  stop(): Promise<void>;
}

async function startClientProcess(name: ClientName): Promise<ClientProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@hubrx/source', 'bench/client-worker.ts', name],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const waiting = new Map<number, { resolve(value: number): void; reject(error: Error): void }>();
  let ids = 0;
  const ready = new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
  });
  child.on('message', (answer: { id: number; value?: number; error?: string }) => {
    const waiter = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.error === undefined) waiter?.resolve(answer.value!);
    else waiter?.reject(new Error(`${name}: ${answer.error}`));
  });
  child.once('exit', (code) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`The ${name} process exited (${code}).`));
    waiting.clear();
  });
  await ready;
  return {
    run: (command) =>
      new Promise((resolve, reject) => {
        const id = ++ids;
        waiting.set(id, { resolve, reject });
        child.send({ id, command });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
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
  /**
   * The same work with no client code at all, sampled in the same rounds as the clients (a quiet run at the end
   * would be faster than samples taken between other metrics, and flatter the bound it shows).
   */
  floor?(): Promise<number>;
}

interface MetricResult {
  readonly metric: Metric;
  readonly ours: number;
  readonly official: number;
  readonly ratio: number;
  readonly ratios: readonly number[];
  readonly met: boolean;
  /** The floor's per-round ratios to the official client, when the metric has a floor. */
  readonly floor?: { readonly value: number; readonly ratios: readonly number[] };
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
  const floors: number[] = [];
  const floorRatios: number[] = [];
  for (let round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
    // Alternate who goes first, so that neither always runs on the heap or the server state the other left.
    const order: ClientName[] = round % 2 === 0 ? ['official', 'hubrx'] : ['hubrx', 'official'];
    const values = { hubrx: 0, official: 0 };
    for (const client of order) values[client] = await metric.sample(client);
    const floor = await metric.floor?.();
    if (round < 0) continue;
    samples.hubrx.push(values.hubrx);
    samples.official.push(values.official);
    ratios.push(values.hubrx / values.official);
    if (floor !== undefined) {
      floors.push(floor);
      floorRatios.push(floor / values.official);
    }
  }
  const ratio = median(ratios);
  return {
    metric,
    ours: median(samples.hubrx),
    official: median(samples.official),
    ratio,
    ratios,
    met: metric.kind === 'rate' ? ratio >= metric.target : ratio <= metric.target,
    ...(floors.length > 0 && { floor: { value: median(floors), ratios: floorRatios } }),
  };
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
    if (r.floor !== undefined) {
      console.log(
        `  floor, no client code (fetch negotiate, ws upgrade, handshake; same rounds): ` +
          `${format(r.floor.value, metric.kind)} ${metric.unit}, ratio ${median(r.floor.ratios).toFixed(2)}x ` +
          `(IQR ${spread(r.floor.ratios)}): no client can beat it over the same fetch and ws`,
      );
    }
  }
}

function metrics(
  serverUrl: string,
  serverPid: number,
  protocol: ProtocolName,
  clients: Record<ClientName, ClientProcess>,
) {
  const label = protocol === 'json' ? 'JSON' : 'MessagePack';
  const list: Metric[] = [
    {
      name: `events (Blast, 1/frame, ${PAYLOAD_SIZE}-char payload), ${label}`,
      kind: 'rate',
      unit: 'events/s',
      target: protocol === 'json' ? 2 : 1.7,
      sample: (client) =>
        clients[client].run({ op: 'blast', protocol, serverPid, count: EVENTS, payloadSize: PAYLOAD_SIZE }),
    },
    {
      name: `stream items (Counter, 0 ms), ${label}`,
      kind: 'rate',
      unit: 'items/s',
      target: 1.7,
      sample: (client) => clients[client].run({ op: 'counter', protocol, serverPid, count: ITEMS }),
    },
  ];
  if (protocol === 'json') {
    list.push(
      {
        name: `invoke (Add, ${IN_FLIGHT} in flight), ${label}`,
        kind: 'rate',
        unit: 'calls/s',
        // Issue 11: at least 1.15x the official client's calls/s, in Node and in Chromium (bench/browser.ts).
        target: 1.15,
        sample: (client) =>
          clients[client].run({ op: 'invoke', protocol, total: INVOCATIONS, width: IN_FLIGHT }),
      },
      {
        name: `connect (negotiate, WebSocket, handshake), ${label}`,
        kind: 'time',
        unit: 'ms',
        target: 0.6,
        // The median of a few connects, each a new connection, started (timed) and stopped.
        sample: (client) =>
          clients[client].run({ op: 'connect', url: serverUrl, protocol, times: CONNECTS_PER_SAMPLE }),
        floor: () => clients.hubrx.run({ op: 'floor', url: serverUrl, times: CONNECTS_PER_SAMPLE }),
      },
    );
  }
  return list;
}

export async function clientBenchmark(): Promise<void> {
  const server = await startMockServerProcess();
  const started: ClientProcess[] = [];
  try {
    const clients = {
      official: await startClientProcess('official'),
      hubrx: await startClientProcess('hubrx'),
    };
    started.push(clients.official, clients.hubrx);
    const results: MetricResult[] = [];
    for (const protocol of ['json', 'messagepack'] as const) {
      for (const client of started) await client.run({ op: 'open', url: server.url, protocol });
      for (const metric of metrics(server.url, server.pid, protocol, clients))
        results.push(await measure(metric));
      for (const client of started) await client.run({ op: 'close', protocol });
    }
    report(results);
  } finally {
    await Promise.allSettled(started.map((client) => client.stop()));
    await server.stop();
  }
}
