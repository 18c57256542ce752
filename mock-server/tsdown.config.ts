import { defineConfig } from 'tsdown';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', msw: 'src/msw/index.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    fixedExtension: false,
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: true,
    external: [/^@hubrx\//, /^ws$/, /^msw/],
  },
  {
    entry: { cli: 'src/node/cli.ts' },
    format: ['esm'],
    platform: 'node',
    fixedExtension: false,
    target: 'node20',
    dts: false,
    sourcemap: true,
    clean: false,
    external: [/^@hubrx\//, /^ws$/],
  },
]);
