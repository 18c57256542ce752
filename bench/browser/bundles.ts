/**
 * The three page bundles of the browser benchmark, built at bench time with esbuild the way an app's bundler
 * ships a client: one minified ES module per client (its library, its adapter and the shared page driver),
 * browser conditions, ES2022. hubrx is bundled from core's sources (the `@hubrx/source` condition), so every run
 * measures core's working tree; the official client from its published ESM dist.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const CLIENTS = ['hubrx', 'official', 'bare'] as const;
export type ClientName = (typeof CLIENTS)[number];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the bundles go (the bench server serves them from there). */
export const BUNDLE_DIR = `${ROOT}node_modules/.cache/hubrx-bench-browser`;

/** Builds the bundles into {@link BUNDLE_DIR}; answers each one's size in bytes. */
export async function buildBundles(): Promise<Record<ClientName, number>> {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(CLIENTS.map((name) => [name, `bench/browser/client-${name}.ts`])),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@hubrx/source'],
    outdir: BUNDLE_DIR,
    metafile: true,
    logLevel: 'warning',
  });
  const sizes = {} as Record<ClientName, number>;
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    const name = /(\w+)\.js$/.exec(path)?.[1] as ClientName | undefined;
    if (name !== undefined && CLIENTS.includes(name)) sizes[name] = output.bytes;
  }
  return sizes;
}
