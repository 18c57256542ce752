// A load balancer for the scale-out suites and bench: Debian's HAProxy, configured here, in front of several
// instances of a server on 127.0.0.1. Two front ends on two free ports:
//
// - `sticky`: cookie-based sticky sessions, as ASP.NET Core SignalR needs them behind a balancer. A client without
//   the cookie gets an instance by round robin and the cookie `HUBRX_INSTANCE=<instance>` with the answer; with it,
//   every request goes to that instance while it is up. When it is down (its health check failed, or connecting to
//   it fails), the request goes to another instance (`option redispatch`), which sets the cookie anew.
// - `random`: no stickiness, each request to a random instance (what SignalR breaks on, unless WebSockets are used
//   with `skipNegotiation`: one request per connection).
//
// Health checks (`GET /api/health` every 250 ms, down after 2 failures, by default) take a killed instance out within
// about half a second; its sessions are shut at once. Timeouts let a Long Polling request wait its 90 s and a WebSocket or
// Server-Sent Events stream stay open. HAProxy was chosen over nginx because open-source nginx has no cookie-based
// stickiness (`sticky cookie` is NGINX Plus), and over YARP because it is one small configuration file started in
// milliseconds, not another .NET app to build. The `admin()` function speaks HAProxy's runtime API (its stats socket).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findExecutable, freePort, spawnOwned } from './child-process.js';

/** The cookie HAProxy sets for sticky sessions: its value is the instance's name. */
export const STICKY_COOKIE = 'HUBRX_INSTANCE';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** Debian's haproxy, or undefined when it is not installed. */
export function haproxyPath(): string | undefined {
  return findExecutable('haproxy', ['/usr/sbin/haproxy']);
}

/** An instance behind the balancer: its name (the cookie value, `[a-z0-9-]`) and its `host:port`. */
export interface BalancedInstance {
  readonly name: string;
  readonly address: string;
}

export interface BalancerOptions {
  readonly instances: readonly BalancedInstance[];
  /** The path of the instances' health check (200 when up). Default `/api/health`. */
  readonly healthPath?: string;
  /**
   * Health checks: every `intervalMs` (default 250), an instance down after `fall` failures in a row (default 2), each
   * check given `timeoutMs` (default 1000). Loaded instances (the scale bench) need gentler ones: a check that times
   * out under load would take a healthy instance out and shut its sessions.
   */
  readonly health?: { readonly intervalMs?: number; readonly fall?: number; readonly timeoutMs?: number };
  /** Connections HAProxy accepts (the bench's 2,000 clients and their polls; two descriptors each). Default 8,000. */
  readonly maxConnections?: number;
}

export interface Balancer {
  /** The sticky front end, `http://127.0.0.1:port`. */
  readonly stickyUrl: string;
  /** The front end without stickiness (each request to a random instance). */
  readonly randomUrl: string;
  readonly pid: number | undefined;
  /** Sends a command to HAProxy's runtime API and resolves with its answer (`show servers state`, `disable server`...). */
  admin(command: string): Promise<string>;
  /** Resolves once HAProxy's health checks see `name` as up (`true`) or down (`false`) in both back ends. */
  waitFor(name: string, up: boolean, ms?: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** The configuration HAProxy runs with (exported for the README and for debugging). */
export function haproxyConfig(
  options: BalancerOptions,
  ports: { readonly sticky: number; readonly random: number },
  socket: string,
): string {
  const health = options.healthPath ?? '/api/health';
  const { intervalMs = 250, fall = 2, timeoutMs = 1000 } = options.health ?? {};
  const servers = (cookie: boolean) =>
    options.instances
      .map(({ name, address }) => `  server ${name} ${address}${cookie ? ` cookie ${name}` : ''}`)
      .join('\n');
  return `global
  maxconn ${options.maxConnections ?? 8_000}
  stats socket ${socket} mode 600 level admin

defaults
  mode http
  timeout connect 1s
  # A long poll waits up to 90 s for the server; WebSockets and Server-Sent Events stay open (tunnel).
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h
  timeout http-keep-alive 10s
  timeout check ${timeoutMs}ms
  # A request whose instance cannot be reached goes to another one, even with a sticky cookie.
  retries 2
  option redispatch
  option httpchk GET ${health}
  default-server check inter ${intervalMs}ms fall ${fall} rise 2 on-marked-down shutdown-sessions

frontend sticky
  bind 127.0.0.1:${ports.sticky}
  default_backend sticky

frontend random
  bind 127.0.0.1:${ports.random}
  default_backend random

backend sticky
  balance roundrobin
  cookie ${STICKY_COOKIE} insert indirect nocache httponly
${servers(true)}

backend random
  balance random
${servers(false)}
`;
}

/** Starts HAProxy in front of `instances`; resolves once every instance is up behind both front ends. */
export async function startBalancer(options: BalancerOptions): Promise<Balancer> {
  const executable = haproxyPath();
  if (executable === undefined) throw new Error('haproxy was not found (apt-get install haproxy)');
  for (const { name } of options.instances) {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Invalid instance name '${name}': [a-z0-9-] only.`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'hubrx-haproxy-'));
  const socket = join(dir, 'admin.sock');
  const ports = { sticky: await freePort(), random: await freePort() };
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(options, ports, socket));
  // -db: stay in the foreground; -W is not used (one process, killed with the run).
  const { pid, output, gone, stop } = spawnOwned(executable, ['-db', '-f', config], {
    stopTimeoutMs: STOP_TIMEOUT_MS,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  });

  const admin = (command: string) => adminCommand(socket, command);
  const waitFor = async (name: string, up: boolean, ms = STARTUP_TIMEOUT_MS) => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (gone()) throw new Error(`haproxy ended:\n${output()}`);
      const states = await admin('show stat').catch(() => '');
      const rows = states
        .split('\n')
        .map((line) => line.split(','))
        .filter((fields) => fields[1] === name && (fields[0] === 'sticky' || fields[0] === 'random'));
      const status = rows.map((fields) => fields[17] ?? '');
      if (rows.length === 2 && status.every((s) => (up ? s === 'UP' : s.startsWith('DOWN') || s === 'MAINT')))
        return;
      if (Date.now() > deadline) {
        throw new Error(
          `haproxy did not see instance '${name}' ${up ? 'up' : 'down'} within ${ms} ms: ${status.join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  try {
    for (const { name } of options.instances) await waitFor(name, true);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    stickyUrl: `http://127.0.0.1:${ports.sticky}`,
    randomUrl: `http://127.0.0.1:${ports.random}`,
    pid,
    admin,
    waitFor,
    output,
    stop,
  };
}

/** One command on HAProxy's stats socket (it answers, then closes). */
function adminCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let answer = '';
    client.setEncoding('utf8');
    client.on('connect', () => client.end(`${command}\n`));
    client.on('data', (chunk: string) => (answer += chunk));
    client.on('end', () => resolve(answer));
    client.on('error', reject);
  });
}
