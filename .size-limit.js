// @ts-check
/**
 * `npm run size`: what a browser app pays for hubrx, as an app's bundler would build it: ESM for the browser,
 * minified, gzipped, tree-shaken down to what the app imports, straight from core's TypeScript sources (no build
 * needed). The official client is measured the same way as the reference (no limit: it is not ours).
 *
 * Every core check also fails on any Node built-in import (`node:*`, `fs`, `events`...): core must run in browsers
 * without polyfills.
 */
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import esbuild from 'esbuild';

const CORE = 'core/src/index.ts';
const MSGPACK = 'core/src/msgpack/index.ts';
const OFFICIAL = 'node_modules/@microsoft/signalr/dist/esm/index.js';
const OFFICIAL_MSGPACK = 'node_modules/@microsoft/signalr-protocol-msgpack/dist/esm/index.js';
const CORE_IMPORTS = '{ createHubConnection, jsonHubProtocol }';
const REACT = 'react/src/index.ts';
/** Every hook, as a chat app using all of them imports them (and `createHub`, which comes with core). */
const REACT_IMPORTS =
  '{ createHub, useHub, useHubState, useHubEvent, useHubHandler, useHubInvoke, useHubStream, useSuspenseHub }';
/** The shared-hub layer of core, which the bindings adapt (React, Vue, Angular alike). */
const SHARED_IMPORTS =
  '{ createHubConnection, jsonHubProtocol, createHub, HubStreamObserver, HubInvokeObserver }';
/** What @hubrx/react may add on top of core with its shared hubs (bytes, gzipped): the budget. */
const REACT_BUDGET = 1500;
const VUE = 'vue/src/index.ts';
/** Every composable, as a chat app using all of them imports them (and `createHub`, which comes with core). */
const VUE_IMPORTS =
  '{ createHub, useHub, useHubState, useHubEvent, useHubHandler, useHubInvoke, useHubStream }';
/** What @hubrx/vue may add on top of core with its shared hubs (bytes, gzipped): the budget. */
const VUE_BUDGET = 1500;
const ANGULAR = 'angular/src/index.ts';
/** Every inject function, as a chat app using all of them imports them (and `createHub`, which comes with core). */
const ANGULAR_IMPORTS =
  '{ createHub, injectHub, injectHubState, injectHubEvent, injectHubHandler, injectHubInvoke, injectHubStream }';
/** What @hubrx/angular may add on top of core with its shared hubs (bytes, gzipped): the budget. */
const ANGULAR_BUDGET = 1500;
/** The best-known React wrapper of the official client, installed in fixtures/react-18 (its peer is signalr 8). */
const REACT_SIGNALR = 'fixtures/react-18/node_modules/react-signalr/lib/signalr/index.js';
/** What the MessagePack subpath may add on top of core (bytes, gzipped). */
const MSGPACK_BUDGET = 7500;

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** @type {import('esbuild').Plugin} */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      builtins.has(args.path) || args.path.startsWith('node:')
        ? { errors: [{ text: `'${args.path}' (imported by ${args.importer}) is a Node built-in.` }] }
        : undefined,
    );
  },
};

/** @param {import('esbuild').BuildOptions} config */
const esm = (config) => ({
  ...config,
  format: /** @type {const} */ ('esm'),
  platform: /** @type {const} */ ('browser'),
});

/** @param {import('esbuild').BuildOptions} config */
const browserEsm = (config) => ({
  ...esm(config),
  conditions: ['@hubrx/source'],
  plugins: [...(config.plugins ?? []), noNodeBuiltins],
});

/**
 * Core's gzipped size built as size-limit builds it, so that the MessagePack check's limit is core + budget (its
 * increment, not its total, is what the budget bounds).
 */
async function coreSize() {
  const result = await esbuild.build(
    browserEsm({
      stdin: {
        contents: `import ${CORE_IMPORTS} from ${JSON.stringify(new URL(CORE, import.meta.url).pathname)}\nconsole.log(createHubConnection, jsonHubProtocol)\n`,
        resolveDir: import.meta.dirname,
      },
      bundle: true,
      external: ['rxjs'],
      minifyIdentifiers: true,
      minifySyntax: true,
      minifyWhitespace: true,
      treeShaking: true,
      write: false,
      logLevel: 'silent',
    }),
  );
  // size-limit subtracts the empty entry's 46 bytes (an import and a console.log) from what it reports.
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length - 46;
}

const core = await coreSize();

/** Core with its shared-hub layer, measured as above (rxjs and react excluded). */
async function sharedSize() {
  const result = await esbuild.build(
    browserEsm({
      stdin: {
        contents: `import ${SHARED_IMPORTS} from ${JSON.stringify(new URL(CORE, import.meta.url).pathname)}\nconsole.log(createHubConnection, jsonHubProtocol, createHub, HubStreamObserver, HubInvokeObserver)\n`,
        resolveDir: import.meta.dirname,
      },
      bundle: true,
      external: ['rxjs'],
      minifyIdentifiers: true,
      minifySyntax: true,
      minifyWhitespace: true,
      treeShaking: true,
      write: false,
      logLevel: 'silent',
    }),
  );
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length - 46;
}

const shared = await sharedSize();

/*
 * The targets of the core client's issue are 8 kB (rxjs excluded) and the official client's 14.3 kB (with the
 * rxjs core pulls in). Core does not meet them (13.41 kB and 15.86 kB): until it does, the limits below
 * are ratchets just above the current sizes, so that no change makes core bigger unnoticed. Lower them as core
 * shrinks; the MessagePack budget is the issue's own. Raised by 0.1 kB for ConnectionNotFoundError (issue 16,
 * scale-out: the typed error for a request that reached an instance that does not know the connection, +107 B),
 * and by 0.1 kB for what the chat app needed of the lifecycle (reconnectNow(), nextRetryAt, the outbox sent before
 * `connected` is reported, calls made on `reconnecting` kept for the next connection: +70 B), and by 0.05 kB for
 * the likely cause in a browser's failure to open a WebSocket or EventSource on a negotiated connection, whose status
 * it hides (a 404 from an instance behind a balancer without sticky sessions, as the official client says: +56 B).
 */

export default [
  {
    name: 'core: createHubConnection + JSON, all transports (rxjs excluded; target 8 kB)',
    import: { [CORE]: CORE_IMPORTS },
    ignore: ['rxjs'],
    gzip: true,
    limit: '13.45 kB',
    modifyEsbuildConfig: browserEsm,
  },
  {
    name: 'core: createHubConnection + JSON, all transports, with its rxjs (target 14.3 kB)',
    import: { [CORE]: CORE_IMPORTS },
    gzip: true,
    limit: '15.9 kB',
    modifyEsbuildConfig: browserEsm,
  },
  {
    // Angular CLI resolves rxjs with the `es2015` condition (its ES2015 build, without tslib's ES5 helpers), which
    // makes rxjs's share smaller; other bundlers take its ES5 build above. Reported, not limited.
    name: 'core: createHubConnection + JSON, all transports, with its rxjs resolved as `es2015` (Angular CLI)',
    import: { [CORE]: CORE_IMPORTS },
    gzip: true,
    modifyEsbuildConfig: (config) => ({ ...browserEsm(config), conditions: ['@hubrx/source', 'es2015'] }),
  },
  {
    name: `core + MessagePack (rxjs excluded; limit = core ${core} B + ${MSGPACK_BUDGET} B)`,
    import: { [CORE]: CORE_IMPORTS, [MSGPACK]: '{ messagePackHubProtocol }' },
    ignore: ['rxjs'],
    gzip: true,
    limit: `${core + MSGPACK_BUDGET} B`,
    modifyEsbuildConfig: browserEsm,
  },
  {
    // Reported: the hubs every binding uses (createHub, the stream and invoke observers) on top of core.
    name: `core + its shared hubs, which every binding uses (rxjs excluded; core alone ${core} B)`,
    import: { [CORE]: SHARED_IMPORTS },
    ignore: ['rxjs'],
    gzip: true,
    limit: '16 kB',
    modifyEsbuildConfig: browserEsm,
  },
  {
    name: `@hubrx/react, every hook, on top of core and its shared hubs (rxjs, react excluded; limit = ${shared} B + ${REACT_BUDGET} B)`,
    import: {
      [CORE]: '{ createHubConnection, jsonHubProtocol, HubStreamObserver, HubInvokeObserver }',
      [REACT]: REACT_IMPORTS,
    },
    ignore: ['rxjs', 'react', 'react-dom'],
    gzip: true,
    limit: `${shared + REACT_BUDGET} B`,
    modifyEsbuildConfig: browserEsm,
  },
  {
    // What a React app ships for hubrx: core, the rxjs it uses and every hook (react itself excluded).
    name: '@hubrx/react + core + rxjs, every hook (react excluded)',
    import: { [CORE]: CORE_IMPORTS, [REACT]: REACT_IMPORTS },
    ignore: ['react', 'react-dom'],
    gzip: true,
    limit: '19 kB',
    modifyEsbuildConfig: browserEsm,
  },
  {
    name: `@hubrx/vue, every composable, on top of core and its shared hubs (rxjs, vue excluded; limit = ${shared} B + ${VUE_BUDGET} B)`,
    import: {
      [CORE]: '{ createHubConnection, jsonHubProtocol, HubStreamObserver, HubInvokeObserver }',
      [VUE]: VUE_IMPORTS,
    },
    ignore: ['rxjs', 'vue'],
    gzip: true,
    limit: `${shared + VUE_BUDGET} B`,
    modifyEsbuildConfig: browserEsm,
  },
  {
    // What a Vue app ships for hubrx: core, the rxjs it uses and every composable (vue itself excluded).
    name: '@hubrx/vue + core + rxjs, every composable (vue excluded)',
    import: { [CORE]: CORE_IMPORTS, [VUE]: VUE_IMPORTS },
    ignore: ['vue'],
    gzip: true,
    limit: '19 kB',
    modifyEsbuildConfig: browserEsm,
  },
  {
    name: `@hubrx/angular, every function, on top of core and its shared hubs (rxjs, @angular excluded; limit = ${shared} B + ${ANGULAR_BUDGET} B)`,
    import: {
      [CORE]: '{ createHubConnection, jsonHubProtocol, HubStreamObserver, HubInvokeObserver }',
      [ANGULAR]: ANGULAR_IMPORTS,
    },
    ignore: ['rxjs', '@angular/core'],
    gzip: true,
    limit: `${shared + ANGULAR_BUDGET} B`,
    modifyEsbuildConfig: browserEsm,
  },
  {
    // What an Angular app ships for hubrx: core, the rxjs it uses (resolved with the `es2015` condition, as the
    // Angular CLI does; an Angular app has rxjs anyway) and every function (@angular/core excluded).
    name: '@hubrx/angular + core + rxjs (`es2015`, as Angular CLI), every function (@angular excluded)',
    import: { [CORE]: CORE_IMPORTS, [ANGULAR]: ANGULAR_IMPORTS },
    ignore: ['@angular/core'],
    gzip: true,
    limit: '19 kB',
    modifyEsbuildConfig: (config) => ({ ...browserEsm(config), conditions: ['@hubrx/source', 'es2015'] }),
  },
  {
    // react-signalr's context and hooks over the same official client as above (its own peer, signalr 8, swapped
    // for it), with its dependencies (uuid, js-cookie, hermes-channel); react excluded. Not tree-shakable (CJS).
    name: 'reference: official @microsoft/signalr + react-signalr createSignalRContext (react excluded)',
    import: { [OFFICIAL]: '{ HubConnectionBuilder }', [REACT_SIGNALR]: '{ createSignalRContext }' },
    ignore: ['react', 'react-dom'],
    gzip: true,
    modifyEsbuildConfig: (config) => ({
      ...esm(config),
      alias: {
        '@microsoft/signalr': new URL('node_modules/@microsoft/signalr/dist/esm/index.js', import.meta.url)
          .pathname,
      },
    }),
  },
  {
    name: 'reference: official @microsoft/signalr HubConnectionBuilder (JSON, all transports)',
    import: { [OFFICIAL]: '{ HubConnectionBuilder }' },
    gzip: true,
    modifyEsbuildConfig: esm,
  },
  {
    name: 'reference: official @microsoft/signalr + MessagePack protocol',
    import: { [OFFICIAL]: '{ HubConnectionBuilder }', [OFFICIAL_MSGPACK]: '{ MessagePackHubProtocol }' },
    gzip: true,
    modifyEsbuildConfig: esm,
  },
];
