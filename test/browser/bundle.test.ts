// The client bundles for browsers as an app's bundler would (esbuild, platform browser): nothing in it needs a Node
// built-in, and the JSON-only entry leaves the MessagePack codec out. Needs no browser.
import { builtinModules } from 'node:module';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleClient, CORE_ENTRY, type ClientBundle } from './support/bundle.js';

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function isBuiltin(path: string): boolean {
  return path.startsWith('node:') || BUILTINS.has(path) || BUILTINS.has(path.split('/')[0] ?? '');
}

/** Every import of every bundled file, as written in its source. */
function importsOf(metafile: Metafile): { from: string; path: string; original: string }[] {
  return Object.entries(metafile.inputs).flatMap(([from, input]) =>
    input.imports.map((entry) => ({ from, path: entry.path, original: entry.original ?? entry.path })),
  );
}

describe('the browser bundle', () => {
  let full: ClientBundle;
  let core: ClientBundle;

  beforeAll(async () => {
    [full, core] = await Promise.all([bundleClient(), bundleClient(CORE_ENTRY)]);
  });

  it('builds for platform browser without warnings', () => {
    expect(full.warnings).toEqual([]);
    expect(core.warnings).toEqual([]);
    expect(full.code.length).toBeGreaterThan(0);
  });

  it('imports no Node built-in, and leaves nothing external', () => {
    for (const bundle of [full, core]) {
      const builtins = importsOf(bundle.metafile).filter(
        (entry) => isBuiltin(entry.original) || isBuiltin(entry.path),
      );
      expect(builtins).toEqual([]);
      const external = Object.values(bundle.metafile.outputs).flatMap((output) =>
        output.imports.filter((entry) => entry.external).map((entry) => entry.path),
      );
      expect(external).toEqual([]);
      expect(bundle.code).not.toMatch(/\brequire\(\s*["'](node:)?[\w/]+["']\s*\)/);
    }
  });

  it('is made of the TypeScript sources, rxjs (with its tslib) and @msgpack/msgpack only', () => {
    const packages = new Set(
      Object.keys(full.metafile.inputs).map((path) => {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
        if (match !== null) return match[1];
        return path.startsWith('core/src/') ? '@hubrx/core (sources)' : path;
      }),
    );
    expect([...packages].sort()).toEqual([
      '@hubrx/core (sources)',
      '@msgpack/msgpack',
      'hubrx-browser-entry.ts',
      'rxjs',
      'tslib',
    ]);
  });

  it('leaves the MessagePack codec out of the JSON-only entry', () => {
    const inputs = Object.keys(core.metafile.inputs);
    expect(inputs.filter((path) => path.includes('@msgpack/msgpack') || path.includes('/msgpack/'))).toEqual(
      [],
    );
    expect(core.code.length).toBeLessThan(full.code.length);
  });
});
