// vitest globalSetup of the `interop` project: starts the servers the suites run against, once per run, and hands
// their URLs to the test files (`inject(...)`, see targets.ts).
//
// Today that is the ASP.NET Core reference server (test/server). Where `dotnet` is not installed the ASP.NET Core
// suites are skipped with one notice, unless HUBRX_REQUIRE_DOTNET=1 (CI), which fails the run instead.

import { createMockHubServer, testPreset } from '@hubrx/mock-server';
import type { TestProject } from 'vitest/node';

import { dotnetAvailable, requireDotnet, startReferenceServer } from './dotnet-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the ASP.NET Core reference server (no trailing slash), or undefined when it is not available. */
    referenceServerUrl: string | undefined;
    /** Base URL of the hubrx mock server running the `test` preset (no trailing slash). */
    mockServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The mock server serves the same contract; suites written with describeEachTarget run against both.
  const mock = await createMockHubServer(testPreset());
  project.provide('mockServerUrl', mock.url);

  if (!dotnetAvailable()) {
    if (requireDotnet) {
      await mock.close();
      throw new Error('[hubrx] HUBRX_REQUIRE_DOTNET=1 but dotnet was not found on PATH');
    }
    console.warn('[hubrx] dotnet not found: skipping ASP.NET Core interop suites');
    project.provide('referenceServerUrl', undefined);
    return () => mock.close();
  }

  const server = await startReferenceServer();
  project.provide('referenceServerUrl', server.url);
  return async () => {
    await Promise.all([server.stop(), mock.close()]);
  };
}
