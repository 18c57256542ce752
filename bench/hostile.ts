/**
 * Hostile MessagePack frames (core/test/protocol/hostile-frames.ts: nested container headers announcing most of
 * the frame, huge str / bin / ext lengths, deep nesting, runs of headers, the largest valid frames of a kind)
 * through core's parser: the worst time and heap allocation per frame size.
 *
 * Targets (issue 11): every frame of up to 32 KB parsed or refused in under 50 ms and 50 MB; any frame in time and
 * memory linear in its size (the per-KB columns stay flat from 4 KB to 1 MB). Absolute figures, not ratios: the
 * official client's decoder (@msgpack/msgpack) allocates every announced array length unchecked and has no depth
 * limit, so these frames take it out of memory.
 *
 * Heap allocated by a parse = heap growth across it + what the collections during it freed (v8.GCProfiler), after
 * a full collection; times are medians of several parses after warm-up.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ProtocolError, type HubProtocol } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { hostileFrames, type HostileFrame } from '../core/test/protocol/hostile-frames.js';

export const HOSTILE_SIZES = [4 * 1024, 32 * 1024, 1024 * 1024] as const;
const TARGET_SIZE = 32 * 1024;
const TARGET_MS = 50;
const TARGET_BYTES = 50 * 1024 * 1024;

export interface HostileMeasurement {
  readonly name: string;
  readonly size: number;
  readonly ms: number;
  readonly bytes: number;
  /** `parsed`, `refused` (a ProtocolError) or what else was thrown. */
  readonly outcome: string;
  /** Whether the frame is a valid message (to be parsed) rather than one to be refused. */
  readonly valid: boolean;
  /** False when the outcome is not the one the frame calls for. */
  readonly expected: boolean;
}

let collect: (() => void) | undefined;

/** A full collection, so that a measurement does not pay for (or get credit for) earlier garbage. */
function fullGc(): void {
  if (collect === undefined) {
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

let sink: unknown;

function parseOnce(protocol: HubProtocol, frame: Uint8Array): string {
  try {
    sink = protocol.parse(frame);
    return 'parsed';
  } catch (error) {
    sink = error;
    return error instanceof ProtocolError ? 'refused' : `threw ${(error as Error).name}`;
  }
}

function sample(protocol: HubProtocol, frame: Uint8Array): { ms: number; bytes: number; outcome: string } {
  fullGc();
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  const start = process.hrtime.bigint();
  const outcome = parseOnce(protocol, frame);
  const ns = Number(process.hrtime.bigint() - start);
  const after = v8.getHeapStatistics().used_heap_size;
  let collected = 0;
  for (const gc of profiler.stop().statistics) {
    collected += Math.max(
      0,
      gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    );
  }
  void sink;
  sink = undefined;
  return { ms: ns / 1e6, bytes: Math.max(0, after - before + collected), outcome };
}

/** Measures every hostile frame at every size; `protocol` defaults to core's MessagePack protocol. */
export function measureHostileFrames(
  options: { protocol?: HubProtocol; sizes?: readonly number[]; frames?: readonly HostileFrame[] } = {},
): HostileMeasurement[] {
  const protocol = options.protocol ?? messagePackHubProtocol();
  const results: HostileMeasurement[] = [];
  for (const size of options.sizes ?? HOSTILE_SIZES) {
    const samples = size > TARGET_SIZE ? 5 : 9;
    for (const { name, valid, build } of options.frames ?? hostileFrames) {
      const frame = build(size);
      // Warm-up, so that the JIT has settled on the paths this frame takes.
      for (let i = 0; i < 3; i++) parseOnce(protocol, frame);
      const runs = Array.from({ length: samples }, () => sample(protocol, frame));
      const outcome = runs[0]!.outcome;
      results.push({
        name,
        size,
        ms: median(runs.map((r) => r.ms)),
        bytes: median(runs.map((r) => r.bytes)),
        outcome,
        valid,
        expected: outcome === (valid ? 'parsed' : 'refused'),
      });
    }
  }
  return results;
}

const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`);
const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(2)} MB`;

/**
 * Prints the worst time and allocation per frame size, hostile and valid frames apart (and every frame with
 * HUBRX_BENCH_DETAIL=1).
 */
export function printHostileResults(title: string, results: readonly HostileMeasurement[]): void {
  console.log(`\n${title}`);
  if (process.env.HUBRX_BENCH_DETAIL === '1') {
    console.table(
      results.map((r) => ({
        size: kb(r.size),
        frame: r.name,
        outcome: r.outcome,
        time: `${r.ms.toFixed(2)} ms`,
        heap: mb(r.bytes),
      })),
    );
  }
  const groups = [...new Set(results.map((r) => r.size))].flatMap((size) =>
    [false, true].map((valid) => ({
      size,
      kind: valid ? 'valid (parsed)' : 'hostile (refused)',
      rows: results.filter((r) => r.size === size && r.valid === valid),
    })),
  );
  console.table(
    groups
      .filter((g) => g.rows.length > 0)
      .map(({ size, kind, rows }) => {
        const slowest = rows.reduce((a, b) => (b.ms > a.ms ? b : a));
        const hungriest = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
        const met = slowest.ms < TARGET_MS && hungriest.bytes < TARGET_BYTES;
        return {
          size: kb(size),
          frames: kind,
          'worst time': `${slowest.ms.toFixed(2)} ms (${slowest.name})`,
          'µs/KB': ((slowest.ms * 1000) / (size / 1024)).toFixed(1),
          'worst heap': `${mb(hungriest.bytes)} (${hungriest.name})`,
          'heap B/B': (hungriest.bytes / size).toFixed(1),
          target: size > TARGET_SIZE ? '' : `< ${TARGET_MS} ms, < 50 MB ${met ? 'met' : 'MISSED'}`,
        };
      }),
  );
  for (const r of results.filter((m) => !m.expected)) {
    console.log(`UNEXPECTED: ${r.name} at ${kb(r.size)}: ${r.outcome}`);
  }
}

export function hostileBenchmark(): Promise<void> {
  printHostileResults(
    'Hostile MessagePack frames through core (worst of the corpus per frame size; lower is better)',
    measureHostileFrames(),
  );
  return Promise.resolve();
}
