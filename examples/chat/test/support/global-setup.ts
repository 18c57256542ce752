// vitest globalSetup of the `chat-hub` project: starts the chat hub's two servers once per run (the mock server's
// `chat` preset and the ASP.NET Core chat server), with the settings the suites expect (SHARED_SERVER_OPTIONS), and
// hands their URLs to the test files (see targets.ts). Without `dotnet` the ASP.NET Core suites are skipped with a
// notice, unless HUBRX_REQUIRE_DOTNET=1 (CI), which fails the run instead.

import type { TestProject } from 'vitest/node';

import { SHARED_SERVER_OPTIONS } from './options.js';
import {
  dotnetAvailable,
  requireDotnet,
  startDotnetChatServer,
  startMockChatServer,
  type RunningChatServer,
} from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The mock server's chat preset (no trailing slash). */
    chatMockUrl: string;
    /** The ASP.NET Core chat server, or undefined when dotnet is not available. */
    chatDotnetUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers: RunningChatServer[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  const mock = await startMockChatServer(SHARED_SERVER_OPTIONS);
  servers.push(mock);
  project.provide('chatMockUrl', mock.url);

  if (!dotnetAvailable()) {
    if (requireDotnet) {
      await stopAll();
      throw new Error('[hubrx] HUBRX_REQUIRE_DOTNET=1 but dotnet was not found on PATH');
    }
    console.warn('[hubrx] dotnet not found: skipping the ASP.NET Core chat server suites');
    project.provide('chatDotnetUrl', undefined);
    return stopAll;
  }
  try {
    const dotnet = await startDotnetChatServer(SHARED_SERVER_OPTIONS);
    servers.push(dotnet);
    project.provide('chatDotnetUrl', dotnet.url);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
