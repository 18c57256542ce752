// @vitest-environment node
// The proof in an Angular CLI build: cli-app/ (a standalone, zoneless app with a service and a routed component
// using every function, prerendered by @angular/ssr) is built by `ng build` (@angular/build:application, AOT,
// optimized) against the built @hubrx/angular and @hubrx/core (their dist/, as an app installs them: run
// `npm run build` first; `npm test` does). Then real Chromium loads the prerendered page from the mock server,
// hydrates it and talks to the hub.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockHubServer, defineHub, type MockHubServer } from '@hubrx/mock-server';
import { CHROMIUM_PATH, describeChromium } from '../../test/browser/support/chromium.js';

const ROOT = join(import.meta.dirname, '../..');
// Another Angular's pass (angular/test/angular-22.sh) builds a copy of the app with its own CLI.
const APP = process.env.HUBRX_CLI_APP ?? join(import.meta.dirname, 'cli-app');
const NG = process.env.HUBRX_NG ?? createRequire(import.meta.url).resolve('@angular/cli/bin/ng.js');

let out: string;
let build: { code: number | null; log: string };

/** `ng build` of cli-app into a temporary directory. */
function ngBuild(outputPath: string): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NG, 'build', '--output-path', outputPath], {
      cwd: APP,
      env: { ...process.env, NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, log }));
  });
}

beforeAll(async () => {
  for (const pkg of process.env.HUBRX_CLI_APP === undefined ? ['core', 'angular'] : []) {
    if (!existsSync(join(ROOT, pkg, 'dist/index.js'))) {
      throw new Error(
        `${pkg}/dist is missing: the CLI app builds against the built packages (npm run build).`,
      );
    }
  }
  out = await mkdtemp(join(tmpdir(), 'hubrx-angular-cli-'));
  build = await ngBuild(out);
}, 240_000);
afterAll(() => rm(out, { recursive: true, force: true }));

describe('an Angular CLI app using @hubrx/angular', () => {
  it('builds with `ng build` (AOT, optimized, prerendered): the hubs rendered on the server, disconnected', async () => {
    expect(build.log).toContain('Prerendered 1 static route');
    expect(build.code, build.log).toBe(0);
    const html = await readFile(join(out, 'browser/index.html'), 'utf8');
    // Prerendering ran the page's hubs on the server: nothing connected, the stream idle.
    expect(html).toContain('<p id="status">disconnected</p>');
    expect(html).toContain('<p id="history"> idle</p>');
    // Hydration annotations, for the browser to reuse these nodes.
    expect(html).toMatch(/ngh="\d+"/);
    const scripts = (await readdir(join(out, 'browser'))).filter((file) => file.endsWith('.js'));
    const bundle = (
      await Promise.all(scripts.map((file) => readFile(join(out, 'browser', file), 'utf8')))
    ).join('\n');
    // @hubrx/angular's and @hubrx/core's code is in it.
    expect(bundle.includes('Hub calls do not run on the server')).toBe(true);
    expect(bundle.includes('pass an absolute http(s) URL')).toBe(true);
  });
});

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

describeChromium('the Angular CLI app in Chromium', () => {
  let server: MockHubServer;
  let browser: Browser;
  let negotiates = 0;
  let connections = 0;

  beforeAll(async () => {
    const hub = defineHub({
      methods: {
        Send(ctx, user: string, text: string) {
          ctx.clients.all.send('Message', user, text);
        },
        Add: (_ctx, a: number, b: number) => a + b,
        async *History(_ctx, room: string, count: number) {
          for (let i = 0; i < count; i++) yield await Promise.resolve(`${room}#${i}`);
        },
      },
      onConnected() {
        connections++;
      },
    });
    server = await createMockHubServer({
      hubs: { '/chat': hub },
      middleware: [
        (_request, next, { url }) => {
          if (url.pathname.endsWith('/negotiate')) negotiates++;
          return next();
        },
      ],
      // The built app from the same origin as its hub (its URL is the relative '/chat').
      routes: [
        {
          method: 'GET',
          path: '/*',
          async handler(_request, { url }) {
            const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
            if (file === 'favicon.ico') return new Response(null, { status: 204 });
            if (file.includes('..') || file.includes('/')) return new Response('not found', { status: 404 });
            try {
              const body = await readFile(join(out, 'browser', file));
              return new Response(body, { headers: { 'content-type': MIME[extname(file)] ?? 'text/plain' } });
            } catch {
              return new Response('not found', { status: 404 });
            }
          },
        },
      ],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('hydrates the prerendered page, connects once, and shows state, stream, events, calls and client results', async () => {
    expect(build.code, build.log).toBe(0);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // Before any script: notes whether the server's <p id="status"> is ever replaced (it is not, when hydrated).
    await page.addInitScript(() => {
      const w = window as unknown as { statusReplaced: boolean };
      w.statusReplaced = false;
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.removedNodes) {
            if (node instanceof Element && (node.id === 'status' || node.querySelector('#status'))) {
              w.statusReplaced = true;
            }
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.url}/`);
    const text = (id: string) => page.locator(`#${id}`);
    await expect.poll(() => text('status').textContent(), { timeout: 10_000 }).toBe('connected');
    await expect
      .poll(() => text('history').textContent(), { timeout: 10_000 })
      .toBe('general#0,general#1,general#2 complete');

    await page.click('#add');
    await expect.poll(() => text('sum').textContent(), { timeout: 10_000 }).toBe('42');
    await page.click('#send');
    await expect.poll(() => text('messages').textContent(), { timeout: 10_000 }).toBe('me: hello general');
    server.hub('/chat').clients.all.send('Message', 'ann', 'hi');
    await expect
      .poll(() => text('messages').textContent(), { timeout: 10_000 })
      .toBe('me: hello general|ann: hi');
    const [connection] = server.connections;
    await expect(
      server.hub('/chat').clients.client(connection!.connectionId).invoke('Confirm', 'ok?'),
    ).resolves.toBe(true);

    expect(await page.evaluate(() => (window as unknown as { statusReplaced: boolean }).statusReplaced)).toBe(
      false,
    );
    expect(negotiates).toBe(1);
    expect(connections).toBe(1);
    expect(server.connections).toHaveLength(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
