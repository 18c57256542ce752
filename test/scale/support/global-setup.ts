// vitest globalSetup of the `scale` project: starts the scale-out setup once per run (Redis, three instances of the
// ASP.NET Core chat server with the Redis backplane, HAProxy in front of them; see cluster.ts), the page the Chromium
// suites load through the balancer (its folder is given to the Azure flow's app too), Chromium, and a small control
// server through which the test files (in other processes) kill and restart instances. Without dotnet, redis-server
// or haproxy the suites are skipped with one notice, unless HUBRX_REQUIRE_SCALE=1 (CI), which fails the run instead.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';

import { chromiumAvailable, CHROMIUM_PATH } from '../../browser/support/chromium.js';
import { startCluster, type Cluster } from './cluster.js';
import { missingParts, requireScale } from './parts.js';
import { PAGE_ENTRY, PAGE_HTML } from './page.js';
import { bundleClient } from '../../browser/support/bundle.js';

/** What the test files are given. */
export interface ScaleSetup {
  /** The sticky front end of the balancer. */
  readonly stickyUrl: string;
  /** The front end without stickiness (random instance per request). */
  readonly randomUrl: string;
  readonly instances: readonly { readonly name: string; readonly url: string }[];
  /** The control server: `POST /kill/<name>`, `POST /start/<name>`. */
  readonly controlUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The scale-out setup, or undefined when a part is missing here. */
    scale: ScaleSetup | undefined;
    /** Chromium's playwright endpoint, or undefined without Chromium. */
    scaleBrowserEndpoint: string | undefined;
    /** The folder of the Chromium suites' page (index.html and hubrx.js), served at `/scale/`; undefined when skipped. */
    scaleSite: string | undefined;
  }
}

export const INSTANCE_NAMES = ['a', 'b', 'c'] as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingParts();
  if (missing.length > 0) {
    const what = missing.join(', ');
    if (requireScale)
      throw new Error(`[hubrx] HUBRX_REQUIRE_SCALE=1 but ${what} not found: the scale-out suites cannot run`);
    console.warn(`[hubrx] ${what} not found: skipping the scale-out suites`);
    project.provide('scale', undefined);
    project.provide('scaleBrowserEndpoint', undefined);
    project.provide('scaleSite', undefined);
    return () => Promise.resolve();
  }

  const site = await mkdtemp(join(tmpdir(), 'hubrx-scale-site-'));
  const { code } = await bundleClient(PAGE_ENTRY);
  await writeFile(join(site, 'index.html'), PAGE_HTML);
  await writeFile(join(site, 'hubrx.js'), code);

  let cluster: Cluster | undefined;
  let control: Server | undefined;
  let browser: BrowserServer | undefined;
  const teardown = async () => {
    await browser?.close();
    await new Promise<void>((resolve) =>
      control === undefined ? resolve() : control.close(() => resolve()),
    );
    await cluster?.stop();
    await rm(site, { recursive: true, force: true });
  };
  try {
    cluster = await startCluster({ names: INSTANCE_NAMES, extraArgs: ['--static', `/scale/=${site}`] });
    control = await startControl(cluster);
    const address = control.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    project.provide('scale', {
      stickyUrl: cluster.balancer.stickyUrl,
      randomUrl: cluster.balancer.randomUrl,
      instances: cluster.instances.map(({ name, url }) => ({ name, url })),
      controlUrl: `http://127.0.0.1:${port}`,
    });
    if (chromiumAvailable) browser = await chromium.launchServer({ executablePath: CHROMIUM_PATH });
    project.provide('scaleBrowserEndpoint', browser?.wsEndpoint());
    project.provide('scaleSite', site);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

/** `POST /kill/<name>` and `POST /start/<name>`: 204 once done, 500 with the error's text otherwise. */
function startControl(cluster: Cluster): Promise<Server> {
  const server = createServer((request, response) => {
    const match = /^\/(kill|start)\/([a-z0-9-]+)$/.exec(request.url ?? '');
    if (request.method !== 'POST' || match === null) {
      response.writeHead(404).end();
      return;
    }
    const [, action, name] = match as unknown as [string, 'kill' | 'start', string];
    cluster[action](name).then(
      () => response.writeHead(204).end(),
      (error: unknown) => response.writeHead(500).end(String((error as Error).stack ?? error)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
