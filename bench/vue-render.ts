/**
 * `npm run bench -- vue`: 10,000 server events at full speed into a list rendered with `useHubEvent` of
 * @hubrx/vue, against a hand-written `onMounted` + `subscribe` + `ref` component, in the same Chromium page, same
 * server and connection, in interleaved rounds. Reported: renders, total time, time per event, and the median of
 * the per-round time ratios (composable / hand-written; the goal is at most 1.1x).
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createMockHubServer, defineHub } from '@hubrx/mock-server';
import type { RoundResult, Variant } from './vue-render-page.js';

const CHROMIUM = '/usr/bin/chromium';
const EVENTS = 10_000;
const ROUNDS = 21;
const WARMUP = 3;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>hubrx vue bench</title></head>
<body><script type="module" src="/bench.js"></script></body></html>`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The page for browsers: Vue's production build (its bundler build, as Vite makes it), @hubrx/vue and core from their sources. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('vue-render-page.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@hubrx/source'],
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function vueRenderBenchmark(): Promise<void> {
  console.log(
    `\nVue: ${EVENTS} server events into a list (useHubEvent vs hand-written onMounted + subscribe + ref)`,
  );
  if (!existsSync(CHROMIUM)) {
    console.log(`  skipped: Chromium not found at ${CHROMIUM}`);
    return;
  }
  const code = await bundlePage();
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
        handler: () => new Response(PAGE, { headers: { 'content-type': 'text/html' } }),
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
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/bench`);
    await page.waitForFunction(() => typeof window.runRound === 'function');
    const round = (variant: Variant) =>
      page.evaluate(([v, n]) => window.runRound(v, n), [variant, EVENTS] as const);
    for (let i = 0; i < WARMUP; i++) {
      await round('composable');
      await round('hand');
    }
    const composable: RoundResult[] = [];
    const hand: RoundResult[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order, so that neither always runs on a warmer or a busier machine.
      const first = r % 2 === 0 ? 'composable' : 'hand';
      const a = await round(first);
      const b = await round(first === 'composable' ? 'hand' : 'composable');
      const [ours, theirs] = first === 'composable' ? [a, b] : [b, a];
      composable.push(ours);
      hand.push(theirs);
      ratios.push(ours.ms / theirs.ms);
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
    console.table({ useHubEvent: row(composable), 'hand-written': row(hand) });
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
