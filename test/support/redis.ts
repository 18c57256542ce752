// Redis for the tests (the scale-out suites and bench): Debian's `redis-server`, started on a free port of 127.0.0.1
// with no persistence (no RDB snapshots, no AOF, its working directory a fresh temporary folder), stopped with the
// run. Where `redis-server` is missing the suites that need it are skipped with a notice, unless
// HUBRX_REQUIRE_SCALE=1 (CI), which fails the run instead (see scale-parts.ts).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Where an executable is: the first of `candidates` that exists, else the first match on PATH, else undefined. */
export function findExecutable(name: string, candidates: readonly string[] = []): string | undefined {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Debian's redis-server, or undefined when it is not installed. */
export function redisServerPath(): string | undefined {
  return findExecutable('redis-server', ['/usr/bin/redis-server']);
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

export interface RedisServer {
  /** `127.0.0.1:port`: StackExchange.Redis's configuration string. */
  readonly address: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** The server's output so far. */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free port of 127.0.0.1; resolves once it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const executable = redisServerPath();
  if (executable === undefined) throw new Error('redis-server was not found (apt-get install redis-server)');
  let lastError: unknown;
  // A port found free may be taken before redis binds it: try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOn(executable, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOn(executable: string, port: number): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hubrx-redis-'));
  const child = spawn(
    executable,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      // Up to 2,000 clients of the scale bench share two instances' connections: plenty of file descriptors.
      '--maxclients',
      '10000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(escalate);
    }
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForPort(port, () => child.exitCode !== null || child.signalCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}\n${output}`, {
      cause: error,
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${port}`,
    port,
    pid: child.pid,
    output: () => output,
    stop: () => (stopping ??= stop()),
  };
}

/** Resolves once `PING` on the port answers `+PONG`; fails if `gone()` turns true or after the startup timeout. */
async function waitForPort(port: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (gone()) throw new Error('the process ended');
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`no answer within ${STARTUP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Sends one Redis command and resolves with its reply as received (a simple one: a status, an integer or an error
 * line, which end with the first CRLF), or rejects.
 */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error('no reply within 2 s')), 2_000);
    socket.on('connect', () => {
      const parts = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('');
      socket.write(`*${args.length}\r\n${parts}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function ping(port: number): Promise<boolean> {
  try {
    return (await redisCommand(port, 'PING')).startsWith('+PONG');
  } catch {
    return false;
  }
}
