/**
 * What the browser benchmark drives: the bench server in a process of its own (bench/browser/server.ts, so that
 * it shares no event loop with this driver), Debian's Chromium through playwright-core, and one sample = one
 * fresh page (a new browser context) of one client: connect, warm up, then the measured window, bracketed by the
 * DevTools protocol's `Performance.getMetrics` (the page's main thread: ScriptDuration, TaskDuration).
 */
import { spawn } from 'node:child_process';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type { BenchApi, Protocol } from './page-driver.js';
import { BUNDLE_DIR, type ClientName } from './bundles.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface BenchServer {
  /** `http://127.0.0.1:<port>`: the hub at `/hub`, the pages at `/<client>.html`. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/browser/server.ts', BUNDLE_DIR], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Now listening on: (\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`The bench server exited (${String(code)}).`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // The server exits when its stdin ends.
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Headless pages count as visible; these keep a page that is not in front from being throttled anyway.
    args: [
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

/** A measure of the page driver (bench/browser/page-driver.ts) and its arguments. */
export interface Work {
  readonly op: 'events' | 'stream' | 'invoke' | 'invokeSequential' | 'connect';
  readonly args: readonly number[];
  /** The same measure, smaller, run WARMUPS times in the page before the measured window. */
  readonly warmup: readonly number[];
}

export interface Sample {
  /** The measure's answer: wall milliseconds of the window (page clock), or the median connect. */
  readonly ms: number;
  /** Main-thread ScriptDuration and TaskDuration in the window, in milliseconds, less an empty call's. */
  readonly scriptMs: number;
  readonly taskMs: number;
}

const WARMUPS = 2;

async function mainThread(cdp: CDPSession): Promise<{ script: number; task: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1e3;
  return { script: value('ScriptDuration'), task: value('TaskDuration') };
}

/** Runs one measure of `window.bench` in the page. */
function call(page: Page, op: keyof BenchApi, args: readonly unknown[]): Promise<number> {
  return page.evaluate(
    ([name, list]) => (window.bench![name] as (...a: unknown[]) => Promise<number>)(...list),
    [op, args] as const,
  );
}

/** Runs `run` between two reads of the page's main-thread metrics. */
async function bracket(cdp: CDPSession, run: () => Promise<number>): Promise<Sample> {
  const before = await mainThread(cdp);
  const ms = await run();
  const after = await mainThread(cdp);
  return { ms, scriptMs: after.script - before.script, taskMs: after.task - before.task };
}

/** One sample: a fresh page of `client`, connected with `protocol`, warmed up, then `work` measured. */
export async function sample(
  browser: Browser,
  serverUrl: string,
  client: ClientName,
  protocol: Protocol,
  work: Work,
): Promise<Sample> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
    await page.goto(`${serverUrl}/${client}.html`);
    await page.waitForFunction(() => window.bench !== undefined, undefined, { polling: 10 });
    const cdp = await context.newCDPSession(page);
    // Wall time (the default `timeTicks`), as DevTools shows it. `threadTicks` would not count the time the
    // thread spends preempted on a busy machine, but reads the thread's CPU clock (a system call, ~1 µs here) at
    // every callback's start and end: an observer cost that grows with a client's callbacks per message, while
    // preemption inflates every client alike.
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    await call(page, 'open', [protocol]);
    for (let i = 0; i < WARMUPS; i++) await call(page, work.op, work.warmup);
    // What measuring adds by itself (the evaluate round trip is a task), to subtract.
    const empty: Sample[] = [];
    for (let i = 0; i < 3; i++) empty.push(await bracket(cdp, () => call(page, 'nothing', [])));
    const measured = await bracket(cdp, () => call(page, work.op, work.args));
    await call(page, 'close', []);
    if (errors.length > 0) throw new Error(`${client} page errors: ${errors.join('; ')}`);
    const least = (pick: (s: Sample) => number) => Math.min(...empty.map(pick));
    const result: Sample = {
      ms: measured.ms,
      scriptMs: Math.max(0, measured.scriptMs - least((s) => s.scriptMs)),
      taskMs: Math.max(0, measured.taskMs - least((s) => s.taskMs)),
    };
    if (process.env.HUBRX_BENCH_BROWSER_VERBOSE === '1') {
      const f = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join('/');
      console.log(
        `    ${client} ${work.op}(${work.args.join(', ')}) ${protocol}: ${f([measured.ms])} ms; script ` +
          `${f([measured.scriptMs])} ms, task ${f([measured.taskMs])} ms; empty call: script ` +
          `${f(empty.map((e) => e.scriptMs))}, task ${f(empty.map((e) => e.taskMs))}`,
      );
    }
    return result;
  } finally {
    await context.close();
  }
}
