// Redis for the tests (the scale-out suites and bench): Debian's `redis-server`, started on a free port of 127.0.0.1
// with no persistence (no RDB snapshots, no AOF, its working directory a fresh temporary folder), stopped with the
// run. Where `redis-server` is missing the suites that need it are skipped with a notice, unless
// HUBRX_REQUIRE_SCALE=1 (CI), which fails the run instead (see scale-parts.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findExecutable, freePort, spawnOwned } from './child-process.js';

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Debian's redis-server, or undefined when it is not installed. */
export function redisServerPath(): string | undefined {
  return findExecutable('redis-server', ['/usr/bin/redis-server']);
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
  const args = [
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
  ];
  const { pid, output, gone, stop } = spawnOwned(executable, args, {
    stopTimeoutMs: STOP_TIMEOUT_MS,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  });

  try {
    await waitForPort(port, gone);
  } catch (error) {
    await stop();
    throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}\n${output()}`, {
      cause: error,
    });
  }
  return { address: `127.0.0.1:${port}`, port, pid, output, stop };
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
