import type * as Core from '@hubrx/core';
import type * as MessagePack from '@hubrx/core/msgpack';
import {
  createMockHubServer,
  testPreset,
  type MockHubServer,
  type MockHubServerOptions,
  type Route,
} from '@hubrx/mock-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { bundleClient } from './bundle.js';
import { CHROMIUM_PATH } from './chromium.js';

/** What the test page exposes as `window.hubrx`: both entries of `@hubrx/core`. */
export type Hubrx = typeof Core & typeof MessagePack;

declare global {
  interface Window {
    /** The bundled client. */
    hubrx: Hubrx;
    /** The connection under test. */
    hub: Core.HubConnection;
    /** What the page recorded (server calls, tokens, fetches...), by name. */
    record: Record<string, unknown[]>;
  }
}

/** One HTTP request as the server saw it (CORS preflights and WebSocket upgrades do not go through middleware). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | null;
  readonly cookie: string | null;
  readonly accept: string | null;
  readonly origin: string | null;
}

export interface BrowserHarness {
  /** The mock hub server (test preset), which also serves the test page, the bundle and the worker. */
  readonly server: MockHubServer;
  readonly browser: Browser;
  /** Every HTTP request the server received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Uncaught errors of every page opened so far (the client must throw none). */
  readonly pageErrors: string[];
  /** `${server.url}/browser/index.html` */
  readonly pageUrl: string;
  /**
   * A page in a fresh browser context (no cookies), with the client loaded as `window.hubrx`; from `pageUrl`
   * unless another URL of the page is given (e.g. another origin of the same server).
   */
  newPage(url?: string): Promise<{ readonly context: BrowserContext; readonly page: Page }>;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html>
  <head><meta charset="utf-8" /><title>hubrx browser tests</title></head>
  <body>
    <script type="module">
      import * as hubrx from './hubrx.js';
      window.record = {};
      window.hubrx = hubrx;
    </script>
  </body>
</html>
`;

/**
 * A module worker loading the same bundle. It runs functions sent as source text: `{ source, args }` answers
 * `{ value }` or `{ error }`.
 */
const WORKER = `import * as hubrx from './hubrx.js';
self.onmessage = async ({ data }) => {
  try {
    const run = (0, eval)('(' + data.source + ')');
    self.postMessage({ value: await run(hubrx, data.args) });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.name + ': ' + error.message : String(error) });
  }
};
self.postMessage({ ready: true });
`;

function file(body: string, type: string): Response {
  return new Response(body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-store' } });
}

/**
 * Bundles the client, starts the mock hub server (test preset) serving the test page and the bundle on the hub's
 * origin, and launches Chromium.
 */
export async function startBrowserHarness(
  options: Partial<MockHubServerOptions> = {},
): Promise<BrowserHarness> {
  const { code } = await bundleClient();
  const preset = testPreset();
  const requests: RecordedRequest[] = [];
  const pageRoutes: Route[] = [
    { method: 'GET', path: '/browser/index.html', handler: () => file(PAGE, 'text/html; charset=utf-8') },
    { method: 'GET', path: '/browser/hubrx.js', handler: () => file(code, 'text/javascript; charset=utf-8') },
    {
      method: 'GET',
      path: '/browser/worker.js',
      handler: () => file(WORKER, 'text/javascript; charset=utf-8'),
    },
    {
      // For scenarios running in a worker: the server drops a connection (no close handshake).
      method: 'POST',
      path: '/browser/drop/*',
      handler: (_request, { url, server: hub }) => {
        const connection = hub.connection(decodeURIComponent(url.pathname.slice('/browser/drop/'.length)));
        connection?.drop();
        return new Response(null, { status: connection === undefined ? 404 : 204 });
      },
    },
    { method: 'GET', path: '/favicon.ico', handler: () => new Response(null, { status: 204 }) },
  ];
  const server = await createMockHubServer({
    ...preset,
    ...options,
    routes: [...(preset.routes ?? []), ...pageRoutes, ...(options.routes ?? [])],
    middleware: [
      (request, next, { url }) => {
        requests.push({
          method: request.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          authorization: request.headers.get('authorization'),
          cookie: request.headers.get('cookie'),
          accept: request.headers.get('accept'),
          origin: request.headers.get('origin'),
        });
        return next();
      },
      ...(preset.middleware ?? []),
      ...(options.middleware ?? []),
    ],
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
  } catch (error) {
    await server.close();
    throw error;
  }
  const pageErrors: string[] = [];
  const contexts = new Set<BrowserContext>();
  const pageUrl = `${server.url}/browser/index.html`;

  return {
    server,
    browser,
    requests,
    pageErrors,
    pageUrl,
    async newPage(url = pageUrl) {
      const context = await browser.newContext();
      contexts.add(context);
      context.on('close', () => contexts.delete(context));
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
      await page.goto(url);
      await page.waitForFunction(() => window.hubrx !== undefined, undefined, { polling: 20 });
      return { context, page };
    },
    async close() {
      await Promise.all([...contexts].map((context) => context.close().catch(() => undefined)));
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Runs `fn(hubrx, args)` in a module worker started by `page` (a new worker each time). `fn` travels as source
 * text: it must use nothing but its parameters and the worker's globals.
 */
export async function runInWorker<A, R>(
  page: Page,
  fn: (hubrx: Hubrx, args: A) => Promise<R>,
  args: A,
): Promise<R> {
  const answer = await page.evaluate(
    ([source, workerArgs]) =>
      new Promise<{ value?: unknown; error?: string }>((resolve) => {
        const worker = new Worker('/browser/worker.js', { type: 'module' });
        const done = (result: { value?: unknown; error?: string }) => {
          worker.terminate();
          resolve(result);
        };
        worker.onerror = (event) => done({ error: `worker error: ${event.message}` });
        worker.onmessage = ({ data }: MessageEvent<{ ready?: true; value?: unknown; error?: string }>) => {
          if (data.ready === true) worker.postMessage({ source, args: workerArgs });
          else done(data);
        };
      }),
    [fn.toString(), args] as const,
  );
  if (answer.error !== undefined) throw new Error(`In the worker: ${answer.error}`);
  return answer.value as R;
}
