import { defineConfig } from 'tsdown';

// Plain ESM (and CJS) with no Angular compiler: the package is functions over `inject`, `DestroyRef` and signals,
// with no component, directive or decorator to compile (so no ng-packagr, no partial compilation).
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  external: [/^@hubrx\/core/, /^@angular\//, /^rxjs/],
});
