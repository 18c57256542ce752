/**
 * The browser benchmark's figures: per metric and round, each client's throughput and main-thread time per
 * message; reported as medians over rounds and hubrx's per-round ratios to the other two clients (median and
 * min–max), with the goals met or not.
 */
import { CLIENTS, type ClientName } from './bundles.js';
import type { Protocol } from './page-driver.js';
import type { Work } from './session.js';

export type Quantity = 'rate' | 'script' | 'task';
const QUANTITIES: readonly Quantity[] = ['rate', 'script', 'task'];
const LABELS: Record<Quantity, string> = {
  rate: 'throughput',
  script: '  script (ScriptDuration)',
  task: '  main thread (TaskDuration)',
};

/** A goal on hubrx's median per-round ratio to another client. */
export interface Goal {
  readonly of: Quantity;
  readonly against: 'official' | 'bare';
  readonly op: '>=' | '<=';
  readonly ratio: number;
  /** Shown after the goal, e.g. why it is there. */
  readonly note?: string;
}

export interface Metric {
  readonly name: string;
  readonly protocol: Protocol;
  readonly work: Work;
  /** Messages or calls in the window; `rate` is per second, `time` (connect) the median milliseconds. */
  readonly units: number;
  readonly unit: string;
  readonly kind: 'rate' | 'time';
  readonly goals: readonly Goal[];
}

/** One client's figures in one round: per second (or ms for `time`), script and task µs per unit. */
export type Figures = Record<Quantity, number>;

export interface MetricResult {
  readonly metric: Metric;
  readonly rounds: readonly Record<ClientName, Figures>[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function value(result: MetricResult, client: ClientName, quantity: Quantity): string {
  const { metric } = result;
  const v = median(result.rounds.map((r) => r[client][quantity]));
  if (quantity !== 'rate') return `${v.toFixed(2)} µs/${metric.unit}`;
  if (metric.kind === 'time') return `${v.toFixed(2)} ms`;
  const unit = `${metric.unit}s/s`;
  return v >= 1e3 ? `${(v / 1e3).toFixed(1)} k ${unit}` : `${v.toFixed(0)} ${unit}`;
}

/** hubrx ÷ the other client, per round: the median and the min–max. */
function ratio(result: MetricResult, quantity: Quantity, other: ClientName) {
  const ratios = result.rounds.map((r) => r.hubrx[quantity] / r[other][quantity]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function formatRatio(r: ReturnType<typeof ratio>): string {
  return `${r.median.toFixed(2)}x (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

function verdict(goal: Goal, result: MetricResult): { text: string; met: boolean } {
  const r = ratio(result, goal.of, goal.against).median;
  const met = goal.op === '>=' ? r >= goal.ratio : r <= goal.ratio;
  const note = goal.note === undefined ? '' : ` (${goal.note})`;
  return { text: `${goal.op} ${goal.ratio}x ${goal.against}${note}: ${met ? 'met' : 'NOT MET'}`, met };
}

export function report(
  results: readonly MetricResult[],
  rounds: number,
  sizes: Record<ClientName, number>,
): void {
  console.log(
    `\nBrowser (Chromium): hubrx, @microsoft/signalr and a bare WebSocket-API client on one minimal SignalR ` +
      `server; ${rounds} rounds, a fresh page per sample, the clients interleaved in rotating order. Values: ` +
      `medians over rounds. Ratios: hubrx ÷ other, the median of per-round ratios (min–max). Throughput: higher ` +
      `is better; connect ms and main-thread µs per message: lower is better. Minified bundles: ` +
      CLIENTS.map((c) => `${c} ${(sizes[c] / 1024).toFixed(1)} KiB`).join(', '),
  );
  const rows = [];
  for (const result of results) {
    for (const quantity of QUANTITIES) {
      rows.push({
        metric: quantity === 'rate' ? result.metric.name : LABELS[quantity],
        hubrx: value(result, 'hubrx', quantity),
        official: value(result, 'official', quantity),
        bare: value(result, 'bare', quantity),
        'hubrx/official': formatRatio(ratio(result, quantity, 'official')),
        'hubrx/bare': formatRatio(ratio(result, quantity, 'bare')),
        goal: result.metric.goals
          .filter((g) => g.of === quantity)
          .map((g) => verdict(g, result).text)
          .join('; '),
      });
    }
  }
  console.table(rows);
  // Measured in Chromium 156: a 50 ms spin in a page counts 50 ms of ScriptDuration in a setTimeout or
  // queueMicrotask callback, 0 ms in a `.then` callback or after an `await`; TaskDuration counts ~51 ms in all.
  console.log(
    'ScriptDuration counts callbacks (events, timers, queueMicrotask) but not promise reactions: it misses ' +
      "every client's sends (made after an `await` or in a promise reaction) and the awaited invoke's " +
      'continuations, so for invoke and connect read TaskDuration, which counts all main-thread work, including ' +
      "the browser's own per-message work that all clients share.",
  );
  for (const result of results) {
    for (const goal of result.metric.goals) {
      const { text, met } = verdict(goal, result);
      const what = goal.of === 'rate' ? 'throughput' : LABELS[goal.of].trim();
      console.log(
        `${met ? 'MET    ' : 'NOT MET'} ${result.metric.name}, ${what}: ` +
          CLIENTS.map((c) => `${c} ${value(result, c, goal.of)}`).join(', ') +
          `; hubrx/${goal.against} ${formatRatio(ratio(result, goal.of, goal.against))}, goal ${text}`,
      );
    }
  }
}
