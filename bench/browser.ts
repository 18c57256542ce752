/**
 * Browser: hubrx, the official client and a bare WebSocket-API client in Chromium, against one independent minimal
 * SignalR server (bench/browser/server.ts), JSON and MessagePack. `npm run bench -- browser`.
 *
 * What a client controls in a browser is mostly not throughput: the browser delivers WebSocket messages at its own
 * pace, and any client that keeps up runs near it. It is the main thread's time per message, which the app needs
 * for rendering. So each metric has three figures: throughput (messages or calls per second on the page's clock,
 * from the request to the last message reaching the handler), and main-thread time per message from DevTools'
 * `Performance.getMetrics` read before and after the measured window, less what an empty call costs: ScriptDuration
 * (JavaScript in callbacks; blind to promise reactions, see bench/browser/report.ts) and TaskDuration (all of the
 * main thread's tasks).
 *
 * Every sample is a fresh page (a new browser context, so its own renderer) of one client: load its bundle,
 * connect, warm up with the same measure twice at a quarter of the size, measure once, close. Each round samples
 * the three clients back to back, metric by metric, in an order that rotates from round to round; ratios are taken
 * per round (adjacent samples share the machine's state) and their median reported with the min–max.
 *
 * Environment: HUBRX_BENCH_BROWSER_ROUNDS (else HUBRX_BENCH_ROUNDS; default 3), HUBRX_BENCH_BROWSER_METRICS (a
 * regular expression on the metric names, e.g. `invoke.*JSON`), HUBRX_BENCH_BROWSER_VERBOSE=1 (every sample).
 */
import { accessSync, constants } from 'node:fs';
import { buildBundles, CLIENTS, type ClientName } from './browser/bundles.js';
import type { Protocol } from './browser/page-driver.js';
import { report, type Figures, type Goal, type Metric, type MetricResult } from './browser/report.js';
import { CHROMIUM_PATH, launchChromium, sample, startBenchServer } from './browser/session.js';

const ROUNDS = Number(process.env.HUBRX_BENCH_BROWSER_ROUNDS ?? process.env.HUBRX_BENCH_ROUNDS ?? 3);
const FILTER = new RegExp(process.env.HUBRX_BENCH_BROWSER_METRICS ?? '', 'i');
/** Sized for about a second a sample on a busy 2-core machine (the whole suite: a few minutes). */
const EVENTS = 10_000;
const BATCHED_EVENTS = 50_000;
const PER_FRAME = 50;
const ITEMS = 10_000;
const INVOCATIONS = 3_000;
const IN_FLIGHT = 100;
const SEQUENTIAL = 500;
const CONNECTS = 10;

function metrics(protocol: Protocol): Metric[] {
  const label = protocol === 'json' ? 'JSON' : 'MessagePack';
  // Issue 11: script time per event and stream item within 1.25x the bare client's for JSON, 0.45x the official
  // client's for MessagePack; throughput >= 0.95x the bare client's.
  const receiving: Goal[] = [
    { of: 'rate', against: 'bare', op: '>=', ratio: 0.95 },
    protocol === 'json'
      ? { of: 'script', against: 'bare', op: '<=', ratio: 1.25 }
      : { of: 'script', against: 'official', op: '<=', ratio: 0.45 },
  ];
  // Invoke's script time per call <= 0.8x the official client's: as asked on ScriptDuration, and on TaskDuration,
  // which sees every client's sends and promise continuations (ScriptDuration does not).
  const invokeTime: Goal[] = [
    { of: 'script', against: 'official', op: '<=', ratio: 0.8 },
    { of: 'task', against: 'official', op: '<=', ratio: 0.8, note: 'fair check' },
  ];
  const quarter = (n: number) => Math.max(1, Math.round(n / 4));
  return [
    {
      name: `events, 1/frame, ${label}`,
      protocol,
      work: { op: 'events', args: [EVENTS, 1], warmup: [quarter(EVENTS), 1] },
      units: EVENTS,
      unit: 'event',
      kind: 'rate',
      goals: receiving,
    },
    {
      name: `events, ${PER_FRAME}/frame, ${label}`,
      protocol,
      work: {
        op: 'events',
        args: [BATCHED_EVENTS, PER_FRAME],
        warmup: [quarter(BATCHED_EVENTS), PER_FRAME],
      },
      units: BATCHED_EVENTS,
      unit: 'event',
      kind: 'rate',
      goals: receiving,
    },
    {
      name: `stream items, 1/frame, ${label}`,
      protocol,
      work: { op: 'stream', args: [ITEMS], warmup: [quarter(ITEMS)] },
      units: ITEMS,
      unit: 'item',
      kind: 'rate',
      goals: receiving,
    },
    {
      name: `invoke, ${IN_FLIGHT} in flight, ${label}`,
      protocol,
      work: { op: 'invoke', args: [INVOCATIONS, IN_FLIGHT], warmup: [quarter(INVOCATIONS), IN_FLIGHT] },
      units: INVOCATIONS,
      unit: 'call',
      kind: 'rate',
      goals: [{ of: 'rate', against: 'official', op: '>=', ratio: 1.15 }, ...invokeTime],
    },
    {
      name: `invoke, sequential, ${label}`,
      protocol,
      work: { op: 'invokeSequential', args: [SEQUENTIAL], warmup: [quarter(SEQUENTIAL)] },
      units: SEQUENTIAL,
      unit: 'call',
      kind: 'rate',
      // "No slower" than the official client.
      goals: [{ of: 'rate', against: 'official', op: '>=', ratio: 1 }, ...invokeTime],
    },
    {
      name: `connect (negotiate, WebSocket, handshake), ${label}`,
      protocol,
      work: { op: 'connect', args: [CONNECTS], warmup: [3] },
      units: CONNECTS,
      // The main-thread time per connect counts the stop too (one window around the start-stop loop).
      unit: 'connect+stop',
      kind: 'time',
      goals: [],
    },
  ];
}

async function measure(
  browser: Awaited<ReturnType<typeof launchChromium>>,
  serverUrl: string,
  metric: Metric,
): Promise<MetricResult> {
  const rounds: Record<ClientName, Figures>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first, so that no client always follows the same one.
    const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length]!);
    const figures = {} as Record<ClientName, Figures>;
    for (const client of order) {
      const s = await sample(browser, serverUrl, client, metric.protocol, metric.work);
      figures[client] = {
        rate: metric.kind === 'rate' ? (metric.units * 1e3) / s.ms : s.ms,
        script: (s.scriptMs * 1e3) / metric.units,
        task: (s.taskMs * 1e3) / metric.units,
      };
    }
    rounds.push(figures);
  }
  return { metric, rounds };
}

export async function browserBenchmark(): Promise<void> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    console.log(`\nBrowser: skipped, no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`);
    return;
  }
  const sizes = await buildBundles();
  const server = await startBenchServer();
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    browser = await launchChromium();
    console.log(`\nBrowser: Chromium ${browser.version()}, ${ROUNDS} rounds`);
    const results: MetricResult[] = [];
    for (const protocol of ['json', 'messagepack'] as const) {
      for (const metric of metrics(protocol)) {
        if (!FILTER.test(metric.name)) continue;
        const started = performance.now();
        results.push(await measure(browser, server.url, metric));
        console.log(`  ${metric.name}: ${((performance.now() - started) / 1e3).toFixed(1)} s`);
      }
    }
    report(results, ROUNDS, sizes);
  } finally {
    await browser?.close();
    await server.stop();
  }
}
