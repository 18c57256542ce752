/**
 * `node --import ./bench/size-limit-node20.js node_modules/size-limit/bin.js`: lets size-limit 14 run on Node 20.
 *
 * size-limit 14 declares Node >= 22.19 only because it imports `glob` from `node:fs/promises` (Node 22), which it
 * uses to expand `path` checks. Our `.size-limit.js` has `import` checks only, so on Node 20 its import of
 * `node:fs/promises` is given a `glob` that explains itself instead of failing to link. A no-op on Node 22+.
 */
import * as fsPromises from 'node:fs/promises';
import { register } from 'node:module';

if (!('glob' in fsPromises)) {
  const hooks = `
    const SHIM = 'hubrx-shim:fs-promises';
    export async function resolve(specifier, context, next) {
      if (specifier === 'node:fs/promises' && context.parentURL?.includes('/node_modules/size-limit/')) {
        return { url: SHIM, shortCircuit: true };
      }
      return next(specifier, context);
    }
    export async function load(url, context, next) {
      if (url !== SHIM) return next(url, context);
      return {
        format: 'module',
        shortCircuit: true,
        source: "export * from 'node:fs/promises';" +
          "export function glob() { throw new Error('size-limit path checks need Node 22: use import checks.'); }",
      };
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
