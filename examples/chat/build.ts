/**
 * Builds the chat's front-ends into `examples/chat/dist/`: `react/` and `vue/` with Vite, `angular/` with the
 * Angular CLI (`ng build`), and the landing page `index.html`. Each is built from the packages' TypeScript sources
 * (nothing needs `npm run build` first), and skipped when its inputs (its folder, `shared/`, core's and its
 * binding's sources, the lockfile) are those of its last build.
 *
 * `tsx examples/chat/build.ts [--force] [react] [vue] [angular]` (`npm start` calls it).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';

export const CHAT_DIR = import.meta.dirname;
export const ROOT = join(CHAT_DIR, '../..');
/** What `npm start` serves: the landing page and a folder per front-end. */
export const DIST = join(CHAT_DIR, 'dist');
/** Development builds (for the tests: React's StrictMode checks run in development only), served at `/dev/<app>/`. */
export const DIST_DEV = join(DIST, 'dev');

export const FRONT_ENDS = ['react', 'vue', 'angular'] as const;
export type FrontEnd = (typeof FRONT_ENDS)[number];
export type Mode = 'production' | 'development';

export interface BuildResult {
  readonly app: FrontEnd;
  readonly mode: Mode;
  /** Up to date: not built again. */
  readonly skipped: boolean;
  readonly ms: number;
  readonly dir: string;
}

const STAMP = '.inputs-hash';
const SKIP = new Set(['node_modules', 'dist', '.angular']);

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** A hash of everything a front-end's build reads that can change in this repository. */
async function inputsHash(app: FrontEnd, mode: Mode): Promise<string> {
  const dirs = [
    join(CHAT_DIR, app),
    join(CHAT_DIR, 'shared'),
    join(ROOT, 'core/src'),
    join(ROOT, app, 'src'),
  ];
  const files = [
    ...(await Promise.all(dirs.map(filesUnder))).flat(),
    join(ROOT, 'package-lock.json'),
    import.meta.filename,
  ].sort();
  const hash = createHash('sha256').update(`${app} ${mode}\n`);
  for (const file of files) hash.update(`${relative(ROOT, file)}\n`).update(await readFile(file));
  return hash.digest('hex');
}

function outputOf(app: FrontEnd, mode: Mode): string {
  return join(mode === 'production' ? DIST : DIST_DEV, app);
}

async function viteBuild(app: 'react' | 'vue', mode: Mode, outDir: string): Promise<void> {
  const development = mode === 'development';
  // Vite takes production or development (the libraries' code, React's JSX transform) from NODE_ENV, which
  // `vite build` sets and a script calling `build()` must: a test runner sets it to `test`.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = mode;
  try {
    await build({
      root: join(CHAT_DIR, app),
      configFile: join(CHAT_DIR, app, 'vite.config.ts'),
      mode,
      logLevel: 'warn',
      define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
      ...(development && { base: `/dev/${app}/` }),
      build: { outDir, emptyOutDir: true, minify: !development, sourcemap: development },
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

/** Runs a Node CLI of the app's folder; rejects with its output if it fails. */
function run(app: FrontEnd, what: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: join(CHAT_DIR, app),
      env: { ...process.env, NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${String(code)}):\n${log}`)),
    );
  });
}

/** The Angular CLI's build (AOT, type-checked), into dist/angular (angular.json's outputPath). */
function ngBuild(): Promise<void> {
  return run('angular', 'ng build', [
    createRequire(import.meta.url).resolve('@angular/cli/bin/ng.js'),
    'build',
  ]);
}

/** Vite does not type-check: vue-tsc checks the single-file components first, as Vue's project template does. */
function vueTsc(): Promise<void> {
  const bin = createRequire(join(CHAT_DIR, 'vue/package.json')).resolve('vue-tsc/bin/vue-tsc.js');
  return run('vue', 'vue-tsc', [bin, '-p', 'tsconfig.json']);
}

/** Builds one front-end unless it is up to date (or `force`), holding the build lock. */
export function buildFrontEndLocked(
  app: FrontEnd,
  options: { readonly mode?: Mode; readonly force?: boolean } = {},
): Promise<BuildResult> {
  return locked(() => buildFrontEnd(app, options));
}

/** Builds one front-end unless it is up to date (or `force`). */
async function buildFrontEnd(
  app: FrontEnd,
  options: { readonly mode?: Mode; readonly force?: boolean } = {},
): Promise<BuildResult> {
  const mode = options.mode ?? 'production';
  if (app === 'angular' && mode === 'development')
    throw new Error('The Angular app is built in production only.');
  const started = performance.now();
  const dir = outputOf(app, mode);
  const hash = await inputsHash(app, mode);
  const stamp = join(dir, STAMP);
  if (options.force !== true && existsSync(stamp) && (await readFile(stamp, 'utf8')) === hash) {
    return { app, mode, skipped: true, ms: performance.now() - started, dir };
  }
  if (app === 'angular') await ngBuild();
  else {
    if (app === 'vue') await vueTsc();
    await viteBuild(app, mode, dir);
  }
  await writeFile(stamp, hash);
  return { app, mode, skipped: false, ms: performance.now() - started, dir };
}

/** Whether the process that took a lock is gone (its pid, written in the lock). */
async function abandoned(lock: string): Promise<boolean> {
  const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) {
    // Being written, or left empty by a crash: stale once old.
    const age = await stat(lock).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    return age > 10_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `fn` holding the build lock (a directory: atomic across processes, with the owner's pid), so that
 * `npm start` and a test run started at the same time never build into the same folder at once. A lock whose
 * process is gone (Ctrl+C during a build) is taken over.
 */
async function locked<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(CHAT_DIR, '.build-lock');
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await abandoned(lock)) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Builds the front-ends (all three by default) and the landing page into {@link DIST}. The Angular CLI runs in a
 * process of its own, alongside the Vite builds.
 */
export async function buildChat(
  options: {
    readonly apps?: readonly FrontEnd[];
    readonly force?: boolean;
    readonly log?: (line: string) => void;
  } = {},
): Promise<BuildResult[]> {
  return locked(() => buildAll(options));
}

async function buildAll(options: {
  readonly apps?: readonly FrontEnd[];
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}): Promise<BuildResult[]> {
  const apps = options.apps ?? FRONT_ENDS;
  const force = options.force ?? false;
  const log = options.log ?? (() => undefined);
  const report = (result: BuildResult) => {
    const seconds = (result.ms / 1000).toFixed(1);
    log(`  ${result.app.padEnd(8)}${result.skipped ? 'up to date' : `built in ${seconds} s`}`);
    return result;
  };
  const angular = apps.includes('angular') ? buildFrontEnd('angular', { force }).then(report) : undefined;
  // Not left unhandled while the Vite builds run.
  angular?.catch(() => undefined);
  const results: BuildResult[] = [];
  for (const app of apps) if (app !== 'angular') results.push(report(await buildFrontEnd(app, { force })));
  if (angular !== undefined) results.push(await angular);
  await mkdir(DIST, { recursive: true });
  await copyFile(join(CHAT_DIR, 'landing/index.html'), join(DIST, 'index.html'));
  return results;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const { values, positionals } = parseArgs({
    options: { force: { type: 'boolean' } },
    allowPositionals: true,
  });
  const unknown = positionals.filter((name) => !(FRONT_ENDS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown front-end ${unknown.join(', ')}: ${FRONT_ENDS.join(', ')}.`);
    process.exit(2);
  }
  const apps = positionals.length > 0 ? (positionals as FrontEnd[]) : FRONT_ENDS;
  console.log(`Building the chat's front-ends into ${relative(process.cwd(), DIST) || '.'}:`);
  await buildChat({ apps, force: values.force === true, log: console.log });
}
