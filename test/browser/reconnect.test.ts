// Reconnecting in a real browser: while the client waits for its next attempt, the network coming back (`online`)
// or the user coming back (the page becoming visible) retries at once; while the browser is offline, the wait
// lasts until it is online again, however short the policy's delay.
import type { TransportName } from '@hubrx/core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeChromium } from './support/chromium.js';
import { startBrowserHarness, type BrowserHarness } from './support/harness.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface StateRecord {
  readonly status: string;
  readonly attempt: number;
  readonly nextRetryInMs: number | null;
}

/**
 * Starts `window.hub` with fixed reconnect delays, recording its states (`record.states`) and counting its HTTP
 * requests (`record.fetches`). Resolves with the connection id.
 */
function connect(page: Page, transport: TransportName, delays: readonly number[]): Promise<string> {
  return page.evaluate(
    async ({ transport: chosen, delays: policy }) => {
      const hubrx = window.hubrx;
      const states: unknown[] = (window.record.states = []);
      const fetches: unknown[] = (window.record.fetches = []);
      window.hub = hubrx.createHubConnection({
        url: '/testhub',
        transports: [chosen],
        reconnect: hubrx.fixedDelays(policy),
        fetch: (input, init) => {
          fetches.push(String(input instanceof Request ? input.url : input));
          return fetch(input, init);
        },
      });
      window.hub.state$.subscribe(({ status, attempt, nextRetryInMs }) =>
        states.push({ status, attempt, nextRetryInMs }),
      );
      await window.hub.start();
      return window.hub.state.connectionId ?? '';
    },
    { transport, delays },
  );
}

/** Waits until `window.hub` is waiting before reconnect attempt 1, for `delayMs`. */
async function waitingToRetry(page: Page, delayMs: number): Promise<void> {
  await page.waitForFunction(
    (delay) => {
      const { status, attempt, nextRetryInMs } = window.hub.state;
      return status === 'reconnecting' && attempt === 1 && nextRetryInMs === delay;
    },
    delayMs,
    { polling: 20, timeout: 10_000 },
  );
}

async function connected(page: Page, timeoutMs = 10_000): Promise<string> {
  await page.waitForFunction(() => window.hub.state.status === 'connected', undefined, {
    polling: 20,
    timeout: timeoutMs,
  });
  return page.evaluate(() => window.hub.state.connectionId ?? '');
}

const stateOf = (page: Page) =>
  page.evaluate((): StateRecord => {
    const { status, attempt, nextRetryInMs } = window.hub.state;
    return { status, attempt, nextRetryInMs };
  });

const fetchCount = (page: Page) => page.evaluate(() => window.record.fetches?.length ?? 0);

describeChromium('reconnecting in Chromium', () => {
  let harness: BrowserHarness;
  let page: Page;
  let context: BrowserContext;

  beforeAll(async () => {
    harness = await startBrowserHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(async () => {
    ({ page, context } = await harness.newPage());
  });
  afterEach(async () => {
    await context.setOffline(false);
    await page.evaluate(() => window.hub?.stop());
    await context.close();
    expect(harness.pageErrors).toEqual([]);
  });

  it.each<TransportName>(['webSockets', 'serverSentEvents', 'longPolling'])(
    'over %s, an online event ends a 60 s wait at once',
    async (transport) => {
      const first = await connect(page, transport, [60_000]);
      harness.server.connection(first)?.drop();
      await waitingToRetry(page, 60_000);

      await page.evaluate(() => window.dispatchEvent(new Event('online')));

      // Far sooner than the policy's 60 s (the test would time out first).
      const second = await connected(page);
      expect(second).not.toBe(first);
      expect(await page.evaluate(() => window.hub.invoke('GetActiveTransportName'))).toBe(
        harness.server.connection(second)?.transport,
      );
      const states = (await page.evaluate(() => window.record.states)) as StateRecord[];
      expect(states.slice(-4)).toEqual([
        { status: 'reconnecting', attempt: 0, nextRetryInMs: null },
        { status: 'reconnecting', attempt: 1, nextRetryInMs: 60_000 },
        { status: 'reconnecting', attempt: 1, nextRetryInMs: null },
        { status: 'connected', attempt: 0, nextRetryInMs: null },
      ]);
    },
  );

  it('the page becoming visible ends the wait at once; becoming hidden does not', async () => {
    const first = await connect(page, 'webSockets', [60_000]);
    harness.server.connection(first)?.drop();
    await waitingToRetry(page, 60_000);
    const requests = await fetchCount(page);

    // Headless pages are always visible: play the user switching tabs away and back.
    const setVisibility = (visibility: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, visibility);

    await setVisibility('hidden');
    await sleep(300);
    expect(await stateOf(page)).toEqual({ status: 'reconnecting', attempt: 1, nextRetryInMs: 60_000 });
    expect(await fetchCount(page)).toBe(requests);

    await setVisibility('visible');
    const second = await connected(page);
    expect(second).not.toBe(first);
    expect(await fetchCount(page)).toBe(requests + 1); // one negotiate
  });

  it.each<TransportName>(['webSockets', 'longPolling'])(
    'over %s, offline: waits past the delay until the browser is online again',
    async (transport) => {
      const first = await connect(page, transport, [100, 100, 100]);
      await context.setOffline(true);
      expect(await page.evaluate(() => navigator.onLine)).toBe(false);
      harness.server.connection(first)?.drop();
      await waitingToRetry(page, 100);
      const requests = await fetchCount(page);

      // Ten times the policy's delay: no attempt is made while offline (it would only fail and use up the policy).
      await sleep(1000);
      expect(await stateOf(page)).toEqual({ status: 'reconnecting', attempt: 1, nextRetryInMs: 100 });
      expect(await fetchCount(page)).toBe(requests);

      await context.setOffline(false);
      const second = await connected(page);
      expect(second).not.toBe(first);
      expect(await page.evaluate(() => window.hub.invoke('Echo', 'back online'))).toBe('back online');
    },
  );
});
