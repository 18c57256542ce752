/**
 * The render benchmark of the bindings (`npm run bench -- react`, `-- vue`): 10,000 server events at full speed
 * into a list rendered by the binding's event hook, against a hand-written component over core's `on()`, in the
 * same Chromium page, server and connection, in interleaved rounds. Reported: renders, total time, time per event,
 * and the median of the per-round time ratios (binding / hand-written; the issues' goal is at most 1.1x).
 *
 * A page module (`react-render-page.ts`, `vue-render-page.ts`) exposes `window.runRound(variant, count)`, which
 * mounts one variant, asks the server for `count` events and resolves when the last one is rendered.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createMockHubServer, defineHub } from '@hubrx/mock-server';

const CHROMIUM = '/usr/bin/chromium';
const EVENTS = 10_000;
const ROUNDS = 21;
const WARMUP = 3;

/** One round's figures, as the page reports them. */
export interface RoundResult {
  readonly ms: number;
  readonly renders: number;
}

declare global {
  interface Window {
    runRound(variant: string, count: number): Promise<RoundResult>;
  }
}

/** A binding's render benchmark. */
export interface RenderBench {
  /** E.g. `React`. */
  readonly framework: string;
  /** The page module, next to this file. */
  readonly page: string;
  /** The binding's variant as the page names it, and the hand-written one's. */
  readonly variants: { readonly binding: string; readonly hand: string };
  /** What the hand-written component does, for the heading. */
  readonly hand: string;
  /** Compile-time constants of the framework's production build. */
  readonly define?: Readonly<Record<string, string>>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The page for browsers: the framework's production build, the binding and core from their sources. */
async function bundlePage(bench: RenderBench): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(bench.page, import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@hubrx/source'],
    define: { 'process.env.NODE_ENV': '"production"', ...bench.define },
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function renderBenchmark(bench: RenderBench): Promise<void> {
  const { binding, hand } = bench.variants;
  console.log(`\n${bench.framework}: ${EVENTS} server events into a list (useHubEvent vs ${bench.hand})`);
  if (!existsSync(CHROMIUM)) {
    console.log(`  skipped: Chromium not found at ${CHROMIUM}`);
    return;
  }
  const code = await bundlePage(bench);
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>hubrx ${bench.framework} bench</title>
</head><body><script type="module" src="/bench.js"></script></body></html>`;
  const hub = defineHub({
    methods: {
      Blast(ctx, count: number) {
        for (let i = 0; i < count; i++) ctx.clients.caller.send('Tick', i);
      },
    },
  });
  const server = await createMockHubServer({
    hubs: { '/bench-hub': hub },
    logLimit: 0,
    routes: [
      {
        method: 'GET',
        path: '/bench',
        handler: () => new Response(page, { headers: { 'content-type': 'text/html' } }),
      },
      {
        method: 'GET',
        path: '/bench.js',
        handler: () => new Response(code, { headers: { 'content-type': 'text/javascript' } }),
      },
    ],
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`${server.url}/bench`);
    await tab.waitForFunction(() => typeof window.runRound === 'function');
    const round = (variant: string) =>
      tab.evaluate(([v, n]) => window.runRound(v, n), [variant, EVENTS] as const);
    for (let i = 0; i < WARMUP; i++) {
      await round(binding);
      await round(hand);
    }
    const ours: RoundResult[] = [];
    const theirs: RoundResult[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order, so that neither always runs on a warmer or a busier machine.
      const bindingFirst = r % 2 === 0;
      const a = await round(bindingFirst ? binding : hand);
      const b = await round(bindingFirst ? hand : binding);
      const [o, t] = bindingFirst ? [a, b] : [b, a];
      ours.push(o);
      theirs.push(t);
      ratios.push(o.ms / t.ms);
    }
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const row = (results: RoundResult[]) => {
      const ms = median(results.map((result) => result.ms));
      return {
        renders: median(results.map((result) => result.renders)),
        'total ms': ms.toFixed(1),
        'µs / event': ((ms * 1000) / EVENTS).toFixed(2),
      };
    };
    console.table({ useHubEvent: row(ours), 'hand-written': row(theirs) });
    const ratio = median(ratios);
    console.log(
      `  time ratio useHubEvent / hand-written (median of ${ROUNDS} interleaved rounds): ${ratio.toFixed(3)}x` +
        ` (goal <= 1.1x: ${ratio <= 1.1 ? 'met' : 'MISSED'})`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
