// The client inside a Web Worker: a module worker imports the same browser bundle and runs a whole scenario
// (invoke, stream, on(), client results) over every transport × protocol pair. Workers have fetch, WebSocket and
// EventSource, but no `document` and no `window`.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeChromium } from './support/chromium.js';
import { runInWorker, startBrowserHarness, type BrowserHarness, type Hubrx } from './support/harness.js';
import { COMBINATIONS, connectionScenario, expectedScenario } from './support/scenario.js';

/**
 * In the worker: connects with a 60 s reconnect delay, has the server drop the connection, and once
 * the client waits to retry, fires `online` on the worker's global scope. Runs from its source text.
 */
async function reconnectScenario(
  hubrx: Hubrx,
  url: string,
): Promise<{ first: string | null; second: string | null; states: string[] }> {
  const hub = hubrx.createHubConnection({
    url,
    transports: ['webSockets'],
    reconnect: hubrx.fixedDelays([60_000]),
  });
  const states: string[] = [];
  const when = (condition: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}: ${states.join(', ')}`)),
        10_000,
      );
      const subscription = hub.state$.subscribe(() => {
        if (!condition()) return;
        clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        resolve();
      });
    });
  hub.state$.subscribe(({ status, attempt, nextRetryInMs }) =>
    states.push(`${status} attempt ${attempt} ${String(nextRetryInMs)}`),
  );
  try {
    await hub.start();
    const first = hub.state.connectionId;
    const waiting = when(() => hub.state.nextRetryInMs === 60_000, 'the wait');
    const dropped = await fetch(new URL(`/browser/drop/${String(first)}`, url), { method: 'POST' });
    if (dropped.status !== 204) throw new Error(`could not drop the connection: ${dropped.status}`);
    await waiting;
    const back = when(() => hub.state.status === 'connected', 'the reconnect');
    globalThis.dispatchEvent(new Event('online'));
    await back;
    return { first, second: hub.state.connectionId, states: [...states] };
  } finally {
    await hub.stop();
  }
}

describeChromium('the client in a Web Worker', () => {
  let harness: BrowserHarness;
  let page: Page;

  beforeAll(async () => {
    harness = await startBrowserHarness();
    ({ page } = await harness.newPage());
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(() => {
    expect(harness.pageErrors).toEqual([]);
  });

  it.each(COMBINATIONS)('works over $transport × $protocol', async ({ transport, protocol }) => {
    const result = await runInWorker(page, connectionScenario, {
      url: `${harness.server.url}/testhub`,
      transport,
      protocol,
    });
    expect(result).toEqual(expectedScenario(transport));
  });

  it('resolves a relative hub URL against the worker script', async () => {
    // As in a page, where '/testhub' resolves against the document: here against the worker's location.
    const result = await runInWorker(page, connectionScenario, {
      url: '/testhub',
      transport: 'webSockets',
      protocol: 'json',
    });
    expect(result).toEqual(expectedScenario('webSockets'));
  });

  it('an online event in the worker ends a 60 s wait for the next attempt at once', async () => {
    const result = await runInWorker(page, reconnectScenario, `${harness.server.url}/testhub`);
    expect(result.second).not.toBe(result.first);
    expect(result.states.slice(-4)).toEqual([
      'reconnecting attempt 0 null',
      'reconnecting attempt 1 60000',
      'reconnecting attempt 1 null',
      'connected attempt 0 null',
    ]);
  });

  it('has no window and no document in the worker (the environment under test)', async () => {
    const globals = await runInWorker(
      page,
      (_hubrx, _args: null) =>
        Promise.resolve({
          window: typeof (globalThis as { window?: unknown }).window,
          document: typeof (globalThis as { document?: unknown }).document,
          WebSocket: typeof WebSocket,
          EventSource: typeof EventSource,
          fetch: typeof fetch,
        }),
      null,
    );
    expect(globals).toEqual({
      window: 'undefined',
      document: 'undefined',
      WebSocket: 'function',
      EventSource: 'function',
      fetch: 'function',
    });
  });
});
