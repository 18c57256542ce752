// vitest globalSetup of the `interop` project: starts the servers the suites run against, once per run, and hands
// their URLs to the test files (`inject(...)`, see targets.ts).
//
// Today that is the ASP.NET Core reference server (test/server). Where `dotnet` is not installed the ASP.NET Core
// suites are skipped with one notice, unless HUBRX_REQUIRE_DOTNET=1 (CI), which fails the run instead.

import type { TestProject } from 'vitest/node';

import { dotnetAvailable, requireDotnet, startReferenceServer } from './dotnet-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the ASP.NET Core reference server (no trailing slash), or undefined when it is not available. */
    referenceServerUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!dotnetAvailable()) {
    if (requireDotnet) {
      throw new Error('[hubrx] HUBRX_REQUIRE_DOTNET=1 but dotnet was not found on PATH');
    }
    console.warn('[hubrx] dotnet not found: skipping ASP.NET Core interop suites');
    project.provide('referenceServerUrl', undefined);
    return () => Promise.resolve();
  }

  const server = await startReferenceServer();
  project.provide('referenceServerUrl', server.url);
  return () => server.stop();
}
