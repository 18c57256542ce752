import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the packages' TypeScript sources (the `@hubrx/source` export condition), not a build.
const conditions = ['@hubrx/source'];

export default defineConfig({
  resolve: { conditions: [...conditions, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [...conditions, ...defaultServerConditions] } },
  // Global setups (test/support/global-setup.ts starts the mock server) are loaded in Vitest's own `__vitest__`
  // environment, which follows neither `resolve` nor `ssr.resolve` (vitest-dev/vitest#9429): without this they
  // would load `@hubrx/core` from dist/, which a fresh clone does not have.
  environments: { __vitest__: { resolve: { conditions: [...conditions, ...defaultServerConditions] } } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['core/test/**/*.test.ts'], environment: 'node' },
      },
      {
        // Suites against real servers: the ASP.NET Core reference server (started once per run, see
        // test/support/global-setup.ts) and, later, the mock server.
        extends: true,
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 240_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'mock-server',
          include: ['mock-server/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        // Our client against in-process mock servers with fault injection (no dotnet needed).
        extends: true,
        test: {
          name: 'client',
          include: ['test/client/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        // Real Chromium (playwright-core, /usr/bin/chromium) running the browser build of the client.
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // msw mode: hubs served by msw handlers inside a jsdom test, no port.
        extends: true,
        test: { name: 'msw', include: ['test/msw/**/*.test.ts'], environment: 'jsdom', testTimeout: 20_000 },
      },
    ],
  },
});
