/**
 * A small A/B harness: each case runs ours and the official client's code in alternating, calibrated samples
 * (so that both see the same machine state, on a noisy 2-core VM) and reports medians and their ratio.
 */

export interface Comparison {
  readonly name: string;
  /** What one call processes (e.g. 200 messages for a batch of 200). */
  readonly unitsPerCall: number;
  readonly unit: string;
  readonly ours: () => unknown;
  readonly official: () => unknown;
  /** Minimum acceptable ratio (official time / our time); reported, never asserted. */
  readonly target?: number;
  /** `speedup` (default): higher is better. */
  readonly kind?: 'speedup';
}

export interface ComparisonResult {
  readonly name: string;
  readonly unit: string;
  readonly oursPerSecond: number;
  readonly officialPerSecond: number;
  readonly ratio: number;
  readonly target: number | undefined;
}

let sink: unknown;

function sample(fn: () => unknown, calls: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink = fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

function calibrate(fn: () => unknown, sampleMs: number): number {
  let calls = 1;
  for (;;) {
    const ns = sample(fn, calls) * calls;
    if (ns >= sampleMs * 1e6 * 0.5 || calls >= 1 << 24)
      return Math.max(1, Math.round((calls * sampleMs * 1e6) / ns));
    calls *= 4;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function compare(
  c: Comparison,
  options: { rounds?: number; sampleMs?: number } = {},
): ComparisonResult {
  const rounds = options.rounds ?? 41;
  const sampleMs = options.sampleMs ?? 25;
  // Warm both up so that the JIT has settled before anything is measured.
  for (let i = 0; i < 3; i++) {
    sample(c.official, calibrate(c.official, 10));
    sample(c.ours, calibrate(c.ours, 10));
  }
  const officialCalls = calibrate(c.official, sampleMs);
  const oursCalls = calibrate(c.ours, sampleMs);
  const official: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Adjacent samples share the machine's state (frequency, neighbours), so the ratio of each pair is far
    // steadier than the ratio of two separately taken medians.
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = sample(c.official, officialCalls);
      b = sample(c.ours, oursCalls);
    } else {
      b = sample(c.ours, oursCalls);
      a = sample(c.official, officialCalls);
    }
    official.push(a);
    ours.push(b);
    ratios.push(a / b);
  }
  void sink;
  return {
    name: c.name,
    unit: c.unit,
    oursPerSecond: (1e9 * c.unitsPerCall) / median(ours),
    officialPerSecond: (1e9 * c.unitsPerCall) / median(official),
    ratio: median(ratios),
    target: c.target,
  };
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

export function printResults(title: string, results: readonly ComparisonResult[]): void {
  console.log(`\n${title}`);
  const rows = results.map((r) => ({
    case: r.name,
    official: `${formatRate(r.officialPerSecond)} ${r.unit}/s`,
    hubrx: `${formatRate(r.oursPerSecond)} ${r.unit}/s`,
    ratio: `${r.ratio.toFixed(2)}x`,
    target: r.target === undefined ? '' : `>= ${r.target}x ${r.ratio >= r.target ? 'met' : 'MISSED'}`,
  }));
  console.table(rows);
}
