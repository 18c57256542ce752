/**
 * hubrx as an app runs it: core's sources bundled by esbuild (as `npm run build` would ship them), for the client
 * benchmark. Run through tsx, core would pay a `__name()` call per closure that tsx's `keepNames` adds and no
 * build has, while the official client runs as the compiled JS it ships. No `npm run build` is needed.
 */
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type * as Core from '@hubrx/core';
import type * as Msgpack from '@hubrx/core/msgpack';
import type * as Node from '@hubrx/core/node';

/** Under node_modules so that the bundle's `rxjs` import resolves to the repository's. */
const OUTDIR = 'node_modules/.cache/hubrx-bench';

export async function loadBuiltCore(): Promise<{
  core: typeof Core;
  msgpack: typeof Msgpack;
  node: typeof Node;
}> {
  await build({
    entryPoints: {
      core: 'core/src/index.ts',
      msgpack: 'core/src/msgpack/index.ts',
      node: 'core/src/node/index.ts',
    },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    // rxjs is a peer (the app's copy); @msgpack/msgpack is bundled as an app's bundler would.
    external: ['rxjs'],
    conditions: ['@hubrx/source'],
    outdir: OUTDIR,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  const load = (name: string) => import(pathToFileURL(`${OUTDIR}/${name}.mjs`).href);
  return {
    core: (await load('core')) as typeof Core,
    msgpack: (await load('msgpack')) as typeof Msgpack,
    node: (await load('node')) as typeof Node,
  };
}
