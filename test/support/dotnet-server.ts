// Builds and runs ASP.NET Core apps for the tests: the reference server (test/server), the oracle of every
// conformance suite, and the chat example's server (examples/chat/dotnet, see examples/chat/test/support). An app is
// described by a `DotnetApp` (its project folder, output folder and assembly name).
//
// - An app is built once into its output folder and the build is skipped while a stamp file there still matches a
//   content hash of the sources. Builds are serialized, within this process (a shared promise) and across processes
//   (a lock directory), so parallel runs never build into the same folder at once.
// - Each server listens on 127.0.0.1 with a port picked by the OS (`--urls http://127.0.0.1:0`); the real URL is read
//   from the `Now listening on:` line it logs when ready.
// - Set HUBRX_SERVER_LOGS=1 to echo the server's own log to stderr.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** An ASP.NET Core app the tests build and start. */
export interface DotnetApp {
  /** For messages: `reference server`, `chat server`. */
  readonly name: string;
  /** The project folder (holds the .csproj), relative to the repository root. */
  readonly project: string;
  /** The build output folder, relative to the repository root (ignored by git). */
  readonly output: string;
  /** The assembly name: the output holds `<assembly>.dll`. */
  readonly assembly: string;
}

/** Where an app's project, build, stamp and lock are. */
export interface DotnetAppPaths {
  readonly project: string;
  readonly output: string;
  readonly dll: string;
  readonly stamp: string;
  readonly lock: string;
}

export function dotnetAppPaths(app: DotnetApp): DotnetAppPaths {
  const output = join(repoRoot, app.output);
  return {
    project: join(repoRoot, app.project),
    output,
    dll: join(output, `${app.assembly}.dll`),
    stamp: join(output, '.hubrx-build-stamp'),
    lock: join(output, '.hubrx-build-lock'),
  };
}

/** The ASP.NET Core reference server of test/server. */
export const referenceServerApp: DotnetApp = {
  name: 'reference server',
  project: 'test/server',
  output: 'test/.dotnet-build',
  assembly: 'HubRx.ReferenceServer',
};

/** Where things are; exported for tooling and error messages. */
export const referenceServerPaths: DotnetAppPaths = dotnetAppPaths(referenceServerApp);

/** `HUBRX_REQUIRE_DOTNET=1`: a missing `dotnet` fails the run instead of skipping the ASP.NET Core suites. */
export const requireDotnet = process.env.HUBRX_REQUIRE_DOTNET === '1';

const showServerLogs = process.env.HUBRX_SERVER_LOGS === '1';

const BUILD_TIMEOUT_MS = 5 * 60_000;
const LOCK_STALE_MS = 10 * 60_000;
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LINES_KEPT = 200;

const dotnetEnv: NodeJS.ProcessEnv = {
  ...process.env,
  DOTNET_CLI_TELEMETRY_OPTOUT: '1',
  DOTNET_NOLOGO: '1',
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
  DOTNET_CLI_UI_LANGUAGE: 'en',
};

/** Whether a `dotnet` executable is on PATH. */
export function dotnetAvailable(): boolean {
  const names = process.platform === 'win32' ? ['dotnet.exe'] : ['dotnet'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

export interface DotnetServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The server process's id (benchmarks read its memory). */
  readonly pid: number | undefined;
  /** The server's output so far (the last lines). */
  output(): string;
  /** Stops the server and waits for the process to exit. Idempotent. */
  stop(): Promise<void>;
}

/** A running reference server. */
export type ReferenceServer = DotnetServer;

// ---- build ----------------------------------------------------------------------------------------------------------

const builds = new Map<string, Promise<string>>();

/**
 * Builds the reference server unless the last build still matches the sources; resolves to the dll's path.
 * Concurrent callers share one build.
 */
export function buildReferenceServer(): Promise<string> {
  return buildDotnetApp(referenceServerApp);
}

/** Builds an app unless its last build still matches the sources; resolves to the dll's path. One build at a time. */
export function buildDotnetApp(app: DotnetApp): Promise<string> {
  let build = builds.get(app.project);
  if (build === undefined) {
    build = buildIfStale(app).catch((error: unknown) => {
      builds.delete(app.project);
      throw error;
    });
    builds.set(app.project, build);
  }
  return build;
}

async function buildIfStale(app: DotnetApp): Promise<string> {
  const paths = dotnetAppPaths(app);
  const { dll, stamp, output, project } = paths;
  const fingerprint = await sourceFingerprint(project);
  if (await isUpToDate(paths, fingerprint)) return dll;

  await mkdir(output, { recursive: true });
  await withLock(paths.lock, async () => {
    // Another process may have built while we waited for the lock.
    if (await isUpToDate(paths, fingerprint)) return;
    await rm(stamp, { force: true });
    const args = ['build', project, '-c', 'Release', '-o', output, '--nologo', '--disable-build-servers'];
    const result = await run('dotnet', args, BUILD_TIMEOUT_MS);
    if (result.code !== 0 || !existsSync(dll)) {
      throw new Error(
        `Building the ASP.NET Core ${app.name} failed (dotnet ${args.join(' ')}, exit ${String(result.code)}):\n` +
          result.output,
      );
    }
    await writeFile(stamp, fingerprint);
  });
  return dll;
}

async function isUpToDate(paths: DotnetAppPaths, fingerprint: string): Promise<boolean> {
  if (!existsSync(paths.dll)) return false;
  try {
    return (await readFile(paths.stamp, 'utf8')) === fingerprint;
  } catch {
    return false;
  }
}

/** A hash over the path and content of every build input of a project folder (not bin/, obj/ or Markdown). */
async function sourceFingerprint(root: string): Promise<string> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (dir === root && (entry.name === 'bin' || entry.name === 'obj')) continue;
        await walk(path);
      } else if (entry.isFile() && !entry.name.endsWith('.md')) {
        files.push(path);
      }
    }
  };
  await walk(root);
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, file).split('\\').join('/'));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}\n`;
}

/** Cross-process mutual exclusion with a lock directory (mkdir is atomic); stale locks of dead owners are broken. */
async function withLock(lock: string, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsStale(lock)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for the build lock ${lock}`, { cause: error });
      }
      await sleep(250);
    }
  }
  try {
    await writeFile(join(lock, 'owner'), String(process.pid));
    await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  try {
    const info = await stat(lock);
    if (Date.now() - info.mtimeMs > LOCK_STALE_MS) return true;
    const owner = Number.parseInt(await readFile(join(lock, 'owner'), 'utf8'), 10);
    if (!Number.isInteger(owner)) return false; // the owner is still writing its pid
    process.kill(owner, 0);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: the owner is gone. ENOENT: no owner file yet (just created) or the lock vanished: not stale.
    return code === 'ESRCH';
  }
}

// ---- run ------------------------------------------------------------------------------------------------------------

export interface StartOptions {
  /** Extra command-line arguments for the server, e.g. `['--Logging:LogLevel:Default=Debug']`. */
  readonly extraArgs?: readonly string[];
  /** Echo the server's log to stderr (default: HUBRX_SERVER_LOGS=1). */
  readonly echoLogs?: boolean;
  /** Extra environment variables for the server. */
  readonly env?: Readonly<Record<string, string>>;
  /** The server's working directory (default its output folder). */
  readonly cwd?: string;
}

/** Builds (if needed) and starts a reference server on a free port of 127.0.0.1. */
export function startReferenceServer(options: StartOptions = {}): Promise<ReferenceServer> {
  return startDotnetApp(referenceServerApp, options);
}

/**
 * Builds (if needed) and starts an app with `--urls http://127.0.0.1:0 --exit-on-stdin-eof` (the app must accept
 * the latter: exit when its stdin closes) and the extra arguments; resolves once it logged `Now listening on:`.
 */
export async function startDotnetApp(app: DotnetApp, options: StartOptions = {}): Promise<DotnetServer> {
  const dll = await buildDotnetApp(app);
  const label = app.name.replaceAll(' ', '-');
  const child = spawn(
    'dotnet',
    [dll, '--urls', 'http://127.0.0.1:0', '--exit-on-stdin-eof', ...(options.extraArgs ?? [])],
    {
      // Relative paths in extraArgs (e.g. the chat server's --static) resolve against it.
      cwd: options.cwd ?? dotnetAppPaths(app).output,
      env: {
        ...dotnetEnv,
        ASPNETCORE_ENVIRONMENT: 'Production',
        DOTNET_ENVIRONMENT: 'Production',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const output = new OutputBuffer((options.echoLogs ?? showServerLogs) ? `[${label}] ` : undefined);
  output.attach(child);

  const exited = new Promise<string>((resolveExit) => {
    child.once('exit', (code, signal) => {
      const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      output.push(`(process ended: ${how})`);
      resolveExit(how);
    });
  });
  // If this process dies without stopping the server, take it down too (it also exits when its stdin closes).
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let url: string;
  try {
    url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`The ${app.name} did not report "Now listening on:" within ${STARTUP_TIMEOUT_MS} ms`),
        );
      }, STARTUP_TIMEOUT_MS);
      output.onLine((line) => {
        const match = /Now listening on: (http:\/\/\S+)/.exec(line);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolveUrl(match[1].replace(/\/$/, ''));
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`The ${app.name} ended during startup (${how})`));
      });
    });
  } catch (error) {
    await stopChild(child, exited);
    process.removeListener('exit', killOnExit);
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output.text()}`, { cause: error });
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: child.pid,
    output: () => output.text(),
    stop: () => {
      stopping ??= stopChild(child, exited).finally(() => {
        process.removeListener('exit', killOnExit);
      });
      return stopping;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}

// ---- helpers --------------------------------------------------------------------------------------------------------

/** Keeps the last lines of a process's stdout and stderr; echoes them with a prefix if one is given. */
class OutputBuffer {
  private readonly lines: string[] = [];
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(private readonly echoPrefix: string | undefined) {}

  attach(child: ChildProcess): void {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      stream.setEncoding('utf8');
      let partial = '';
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) this.push(line);
      });
      stream.on('end', () => {
        if (partial !== '') this.push(partial);
        partial = '';
      });
    }
  }

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > OUTPUT_LINES_KEPT) this.lines.shift();
    if (this.echoPrefix !== undefined) process.stderr.write(`${this.echoPrefix}${line}\n`);
    for (const listener of this.listeners) listener(line);
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** Runs a command to completion, capturing stdout and stderr together. */
function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: dotnetEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    child.stderr.on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // Not just 'close': a lingering build server could keep the pipes open after dotnet itself has exited. So after
    // 'exit', give the pipes a moment to drain, then resolve either way.
    child.once('exit', (code) => {
      clearTimeout(timer);
      const finish = (): void => resolveRun({ code, output });
      const drain = setTimeout(finish, 1_000);
      child.once('close', () => {
        clearTimeout(drain);
        finish();
      });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
