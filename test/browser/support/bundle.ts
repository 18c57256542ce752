import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The repository root: packages resolve from here (npm workspaces). */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Both entries of `@hubrx/core`, as an app using the MessagePack protocol imports them. */
export const FULL_ENTRY = "export * from '@hubrx/core';\nexport * from '@hubrx/core/msgpack';\n";
/** The JSON-only entry. */
export const CORE_ENTRY = "export * from '@hubrx/core';\n";

export interface ClientBundle {
  /** The ES module, ready to serve. */
  readonly code: string;
  readonly metafile: Metafile;
  readonly warnings: readonly string[];
}

/**
 * Bundles the client for browsers from its TypeScript sources (the `@hubrx/source` condition), with rxjs and
 * @msgpack/msgpack inside, as an app's bundler would. Fails if anything needs a Node built-in.
 */
export async function bundleClient(contents = FULL_ENTRY): Promise<ClientBundle> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'hubrx-browser-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@hubrx/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return { code: output.text, metafile: result.metafile, warnings: result.warnings.map((w) => w.text) };
}
