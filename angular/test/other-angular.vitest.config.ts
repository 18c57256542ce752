// @hubrx/angular's suites on another Angular installed outside this repository, for a pass this machine's Node
// cannot run in `npm test` (Angular 22 needs Node 22): angular/test/angular-22.sh installs it and runs
//   HUBRX_ANGULAR_DIR=<dir with node_modules/@angular/*> HUBRX_ANGULAR_MAJOR=22 vitest run --config <this file>
// The suites are the `angular` and `angular-zone` projects' (the CLI app too, built by that Angular's CLI), with
// `@angular/*` and `zone.js` taken from there by exact specifier, as vitest.config.ts does for Angular 20.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const ROOT = join(import.meta.dirname, '../..');
const dir = process.env.HUBRX_ANGULAR_DIR;
const major = process.env.HUBRX_ANGULAR_MAJOR;
if (dir === undefined || major === undefined)
  throw new Error('Set HUBRX_ANGULAR_DIR and HUBRX_ANGULAR_MAJOR.');

const conditions = ['@hubrx/source'];
const nodeWs = join(
  dirname(createRequire(join(ROOT, 'package.json')).resolve('ws/package.json')),
  'wrapper.mjs',
);
const modules = join(dir, 'node_modules');
const resolve = createRequire(join(dir, 'package.json')).resolve;
const exactly = (id: string) => new RegExp(`^${id.replace(/[./]/g, '\\$&')}$`);
const alias = [
  { find: /^ws$/, replacement: nodeWs },
  ...[
    '@angular/core',
    '@angular/core/rxjs-interop',
    '@angular/core/testing',
    '@angular/common',
    '@angular/compiler',
    '@angular/platform-browser',
    '@angular/platform-browser/testing',
    '@angular/platform-server',
  ].map((id) => ({ find: exactly(id), replacement: resolve(id) })),
  ...['zone', 'zone-mix', 'zone-node'].map((file) => ({
    find: exactly(file === 'zone' ? 'zone.js' : `zone.js/${file.slice(5)}`),
    replacement: join(modules, `zone.js/fesm2015/${file}.js`),
  })),
];
const project = (name: string, include: string[], exclude: string[]) => ({
  extends: true as const,
  resolve: { alias },
  test: {
    name,
    include,
    exclude,
    environment: 'jsdom',
    testTimeout: 20_000,
    env: { HUBRX_ANGULAR_MAJOR: major },
  },
});

export default defineConfig({
  root: ROOT,
  resolve: { conditions: [...conditions, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [...conditions, ...defaultServerConditions] } },
  test: {
    projects: [
      project(`angular-${major}`, ['angular/test/**/*.test.ts'], ['angular/test/**/*.zone.test.ts']),
      {
        ...project(`angular-${major}-zone`, ['angular/test/**/*.zone.test.ts'], []),
        oxc: { target: 'es2016' },
      },
    ],
  },
});
