// Chromium for the scale-out suites: the browser the global setup started once for the run, a fresh context (its own
// cookies) per page, and pages that load `/scale/index.html` (the browser build of core, see page.ts) from an origin:
// the sticky or the non-sticky front end of the balancer, or the Azure flow's app.

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';

import type { ScalePage } from './page.js';

/** The page's `window`: the bundle's exports as `hubrx` (test/browser declares `window.hubrx` as its own page's). */
export interface PageWindow {
  readonly hubrx: ScalePage;
}

/** A cookie to set in a page's context before it loads. */
export interface PageCookie {
  readonly name: string;
  readonly value: string;
  /** Where it belongs (its host; any port). */
  readonly url: string;
}

export interface ChromiumPages {
  /** A page in a fresh context at `${origin}/scale/index.html`, once `window.hubrx` is there. */
  open(
    origin: string,
    options?: { readonly cookies?: readonly PageCookie[] },
  ): Promise<{ context: BrowserContext; page: Page }>;
}

/** Call in a describe body: connects to the run's Chromium before its tests and closes what they opened after. */
export function chromiumPages(): ChromiumPages {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.connect(inject('scaleBrowserEndpoint')!);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    await browser?.close();
  });
  return {
    async open(origin, options = {}) {
      if (browser === undefined)
        throw new Error('Chromium is not connected (open pages in tests, not in the body)');
      const context = await browser.newContext();
      contexts.push(context);
      if (options.cookies !== undefined && options.cookies.length > 0)
        await context.addCookies(options.cookies.map((cookie) => ({ ...cookie })));
      const page = await context.newPage();
      await page.goto(`${origin}/scale/index.html`);
      await page.waitForFunction(
        () => (window as unknown as Partial<PageWindow>).hubrx !== undefined,
        undefined,
        {
          polling: 20,
        },
      );
      return { context, page };
    },
  };
}
