// vitest globalSetup of the `chat-browser` project: builds the chat's front-ends once per run (production builds
// in examples/chat/dist, skipped when up to date, and React's development build for the StrictMode test), builds
// the ASP.NET Core chat server when dotnet is there, and launches one Chromium that every test file connects to.
// Without Chromium the suites skip (test/browser/support/chromium.ts prints why; CI fails instead).

import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { chromiumAvailable, CHROMIUM_PATH } from '../../../../../test/browser/support/chromium.js';
import { buildDotnetApp } from '../../../../../test/support/dotnet-server.js';
import { buildChat, buildFrontEndLocked } from '../../../build.js';
import { chatServerApp, dotnetAvailable, requireDotnet } from '../../support/servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Chromium's playwright endpoint (`chromium.connect`), or undefined without Chromium. */
    chatBrowserEndpoint: string | undefined;
    /** Whether the ASP.NET Core chat server can run here. */
    chatDotnet: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!chromiumAvailable) {
    project.provide('chatBrowserEndpoint', undefined);
    project.provide('chatDotnet', false);
    return () => Promise.resolve();
  }
  const dotnet = dotnetAvailable();
  if (!dotnet && requireDotnet)
    throw new Error('[hubrx] HUBRX_REQUIRE_DOTNET=1 but dotnet was not found on PATH');
  if (!dotnet)
    console.warn('[hubrx] dotnet not found: the chat is tested in Chromium on the mock server only');
  await Promise.all([
    buildChat().then(() => buildFrontEndLocked('react', { mode: 'development' })),
    dotnet ? buildDotnetApp(chatServerApp) : undefined,
  ]);
  const browser: BrowserServer = await chromium.launchServer({ executablePath: CHROMIUM_PATH });
  project.provide('chatBrowserEndpoint', browser.wsEndpoint());
  project.provide('chatDotnet', dotnet);
  return () => browser.close();
}
