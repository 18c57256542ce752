import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the packages' TypeScript sources (the `@hubrx/source` export condition), not a build.
const conditions = ['@hubrx/source'];

// @hubrx/react's tests run in jsdom, whose browser conditions give `ws` its browser stub; the mock server they
// start on a port needs the real one (its ESM entry).
const nodeWs = join(dirname(createRequire(import.meta.url).resolve('ws/package.json')), 'wrapper.mjs');
// The React 18.3 copy of fixtures/react-18 (its own workspace: npm cannot put it next to React 19 elsewhere).
const react18 = join(import.meta.dirname, 'fixtures/react-18/node_modules');
const reactProject = (name: string, alias: { find: RegExp; replacement: string }[]) => ({
  extends: true as const,
  resolve: { alias: [{ find: /^ws$/, replacement: nodeWs }, ...alias] },
  test: {
    name,
    include: ['react/test/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    testTimeout: 20_000,
    // Processed by Vite, so that its `react` and `react-dom` imports follow the aliases.
    server: { deps: { inline: ['@testing-library/react'] } },
  },
});

// @hubrx/vue in jsdom, like React's (the `ws` alias for the mock server on a port), with Vue 3.5 (`vue`) and with
// the oldest Vue it supports, 3.3 (`vue-3.3`: the `vue-3.3` devDependency of vue/, an npm alias of vue@3.3).
const vue33 = join(import.meta.dirname, 'node_modules/vue-3.3');
const vue33Deps = `${vue33}/node_modules/@vue`;
const vueProject = (
  name: string,
  alias: { find: RegExp; replacement: string }[],
  exclude: string[] = [],
) => ({
  extends: true as const,
  resolve: {
    alias: [
      { find: /^ws$/, replacement: nodeWs },
      // Its ESM build, processed by Vite with the `vue` the tests use (its `node` export, CJS, would `require` Vue's
      // CJS build: a second copy of Vue, whose components run in effect scopes the composables do not see).
      {
        find: /^@vue\/test-utils$/,
        replacement: join(
          import.meta.dirname,
          'node_modules/@vue/test-utils/dist/vue-test-utils.esm-bundler.mjs',
        ),
      },
      ...alias,
    ],
  },
  test: {
    name,
    include: ['vue/test/**/*.test.ts'],
    exclude,
    environment: 'jsdom',
    testTimeout: 20_000,
    server: { deps: { inline: ['@vue/test-utils', 'pinia', /@vue\/devtools/] } },
  },
});

// @hubrx/angular's projects: jsdom, and `ws` aliased as for React's; `alias` puts another Angular in place.
const angularProject = (
  name: string,
  include: string[],
  exclude: string[] = [],
  alias: { find: RegExp; replacement: string }[] = [],
) => ({
  extends: true as const,
  resolve: { alias: [{ find: /^ws$/, replacement: nodeWs }, ...alias] },
  test: {
    name,
    include,
    exclude,
    environment: 'jsdom',
    testTimeout: 20_000,
    // The Angular major the suites check they run on.
    env: { HUBRX_ANGULAR_MAJOR: alias.length > 0 ? '20' : '21' },
  },
});
// Angular 20.3 of fixtures/angular-20 (its own workspace), by exact specifier: the test files' and angular/src's
// imports go there, and Angular's own packages, loaded by Node from there, import each other there.
const angular20 = join(import.meta.dirname, 'fixtures/angular-20/node_modules');
const angular20Resolve = createRequire(join(angular20, '..', 'package.json')).resolve;
const exactly = (id: string) => new RegExp(`^${id.replace(/[./]/g, '\\$&')}$`);
const angular20Alias = [
  ...[
    '@angular/core',
    '@angular/core/rxjs-interop',
    '@angular/core/testing',
    '@angular/common',
    '@angular/compiler',
    '@angular/platform-browser',
    '@angular/platform-browser/testing',
    '@angular/platform-server',
  ].map((id) => ({ find: exactly(id), replacement: angular20Resolve(id) })),
  // zone.js's ES module builds (`require` would give its UMD bundles).
  ...['zone', 'zone-mix', 'zone-node'].map((file) => ({
    find: exactly(file === 'zone' ? 'zone.js' : `zone.js/${file.slice(5)}`),
    replacement: join(angular20, `zone.js/fesm2015/${file}.js`),
  })),
];
// Angular 20 runs the same suites, except the CLI build (angular/test/cli-app is an Angular 21 app).
const ANGULAR_NOT_20 = ['angular/test/cli-app.test.ts', 'angular/test/types.test.ts'];

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
        // The chat example's hub (examples/chat): the mock server's chat preset and the ASP.NET Core chat server, both
        // started once (examples/chat/test/support/global-setup.ts), and the terminal client. One file at a time:
        // presence and room history are the shared servers' state.
        extends: true,
        test: {
          name: 'chat-hub',
          include: ['examples/chat/test/hub/**/*.test.ts', 'examples/chat/test/terminal/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['examples/chat/test/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 240_000,
        },
      },
      {
        // Scale-out (issue 16): the ASP.NET Core chat server as three instances with the Redis backplane behind HAProxy,
        // all started once per run by the global setup (test/scale/support), in Node and in Chromium. One file at a
        // time: they share the instances, and one kills and restarts an instance.
        extends: true,
        test: {
          name: 'scale',
          include: ['test/scale/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/scale/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
      {
        // msw mode: hubs served by msw handlers inside a jsdom test, no port.
        extends: true,
        test: { name: 'msw', include: ['test/msw/**/*.test.ts'], environment: 'jsdom', testTimeout: 20_000 },
      },
      {
        // The chat example in Chromium (examples/chat/test/browser): its React, Vue and Angular front-ends, built once
        // per run by the global setup, against the mock server's chat preset and the ASP.NET Core chat server.
        extends: true,
        test: {
          name: 'chat-browser',
          include: ['examples/chat/test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['examples/chat/test/browser/support/global-setup.ts'],
          // One file at a time: the pages share one Chromium and two cores.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 240_000,
        },
      },
      // @hubrx/angular: TestBed (JIT) in jsdom against the mock server, on a port and through msw; zoneless (and
      // server rendering, in Node) in `angular`, zone.js in `angular-zone`.
      angularProject('angular', ['angular/test/**/*.test.ts'], ['angular/test/**/*.zone.test.ts']),
      // As the Angular CLI builds zone.js apps: async/await lowered to generators over zone.js's Promise (native
      // `await` would lose the zone), so that a connection started in Angular's zone would stay in it.
      { ...angularProject('angular-zone', ['angular/test/**/*.zone.test.ts']), oxc: { target: 'es2016' } },
      // The same with Angular 20, the oldest it supports.
      angularProject(
        'angular-20',
        ['angular/test/**/*.test.ts'],
        ['angular/test/**/*.zone.test.ts', ...ANGULAR_NOT_20],
        angular20Alias,
      ),
      {
        ...angularProject('angular-20-zone', ['angular/test/**/*.zone.test.ts'], [], angular20Alias),
        oxc: { target: 'es2016' },
      },
      // @hubrx/react against the mock server (on a port and through msw), with React 19 and with React 18.3.
      reactProject('react', []),
      reactProject('react-18', [
        // Its ESM build (the CJS one would `require` React 19 past the aliases).
        {
          find: /^@testing-library\/react$/,
          replacement: join(
            import.meta.dirname,
            'node_modules/@testing-library/react/dist/@testing-library/react.esm.js',
          ),
        },
        { find: /^react-dom(\/.*)?$/, replacement: `${react18}/react-dom$1` },
        { find: /^react(\/.*)?$/, replacement: `${react18}/react$1` },
      ]),
      // @hubrx/vue against the mock server (on a port and through msw), with Vue 3.5 and with Vue 3.3.
      vueProject('vue', []),
      vueProject(
        'vue-3.3',
        [
          // Vue's ESM builds, processed by Vite like the rest: one copy of Vue 3.3 for the tests, the composables,
          // @vue/test-utils and the server renderer (a CJS copy loaded by Node next to it would be a second Vue).
          { find: /^vue$/, replacement: `${vue33}/dist/vue.runtime.esm-bundler.js` },
          {
            find: /^(vue\/|@vue\/)server-renderer$/,
            replacement: `${vue33Deps}/server-renderer/dist/server-renderer.esm-bundler.js`,
          },
          {
            find: /^@vue\/compiler-dom$/,
            replacement: `${vue33Deps}/compiler-dom/dist/compiler-dom.esm-bundler.js`,
          },
        ],
        // Pinia 3+ needs Vue 3.5.
        ['vue/test/pinia-*.test.ts'],
      ),
    ],
  },
});
