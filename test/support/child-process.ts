// The system programs the tests start themselves (redis-server, haproxy): finding them, a free port for them, and a
// child process owned by the run: its output kept for error messages, killed if the run ends first, and stopped
// (SIGTERM, then SIGKILL) once however many callers ask.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';

const OUTPUT_KEPT = 20_000;

/** Where an executable is: the first of `candidates` that exists, else the first match on PATH, else undefined. */
export function findExecutable(name: string, candidates: readonly string[] = []): string | undefined {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** A free TCP port of 127.0.0.1 (free now: the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('could not read the port of a listening socket'));
      });
    });
  });
}

export interface OwnedProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly pid: number | undefined;
  /** Its output so far (stdout and stderr, the last 20,000 characters). */
  readonly output: () => string;
  /** Whether it has exited. */
  readonly gone: () => boolean;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; then `cleanup` (e.g. removing its folder). Idempotent. */
  readonly stop: () => Promise<void>;
}

/** Starts `executable` with `args`, owned by this run (see the file's comment). */
export function spawnOwned(
  executable: string,
  args: readonly string[],
  options: { readonly stopTimeoutMs: number; readonly cleanup?: () => Promise<void> },
): OwnedProcess {
  const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const gone = () => child.exitCode !== null || child.signalCode !== null;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!gone()) {
        child.kill('SIGTERM');
        const escalate = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs);
        await exited;
        clearTimeout(escalate);
      }
      process.removeListener('exit', killOnExit);
      await options.cleanup?.();
    })());
  return { child, pid: child.pid, output: () => output, gone, stop };
}
