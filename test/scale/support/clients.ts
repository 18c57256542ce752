// What the scale-out suites share: the setup (skipped when a part is missing), the instances' own account of what
// they served (`GET /api/diagnostics`), killing and restarting instances (through the global setup's control
// server), and chat connections in Node.

import { randomUUID } from 'node:crypto';
import { describe, inject } from 'vitest';

import type { ScaleSetup } from './global-setup.js';

export { INSTANCE_NAMES } from './global-setup.js';

/** The setup; throws when the suites are skipped (call it inside a `describeScale` body's hooks and tests). */
export function scale(): ScaleSetup {
  const setup = inject('scale');
  if (setup === undefined) throw new Error('the scale-out setup is not available');
  return setup;
}

/** A suite that needs the scale-out setup: skipped when a part is missing (the global setup printed why). */
export function describeScale(name: string, fn: () => void): void {
  describe.skipIf(inject('scale') === undefined)(name, fn);
}

/** A user name no other test uses: presence in Redis is shared by every test of the run. */
export function user(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

/** A request to the hub as an instance saw it. */
export interface ServedRequest {
  readonly index: number;
  /** `negotiate`, `webSocket`, `serverSentEvents`, `poll`, `send`, `delete`. */
  readonly kind: string;
  readonly connectionId: string | null;
  /** Whether the instance knew the connection token the request carried (null: it carried none). */
  readonly knownToken: boolean | null;
  /** null while the request is still open (a WebSocket, a stream, a poll). */
  readonly status: number | null;
}

export interface ServedConnection {
  readonly connectionId: string;
  readonly user: string | null;
  /** `WebSockets`, `ServerSentEvents`, `LongPolling`. */
  readonly transport: string | null;
  readonly open: boolean;
  readonly invocations: number;
}

export interface Diagnostics {
  readonly instance: string;
  readonly pid: number;
  readonly requests: readonly ServedRequest[];
  readonly connections: readonly ServedConnection[];
  readonly openConnections: number;
  readonly invocations: Readonly<Record<string, number>>;
  readonly memory: { readonly workingSetBytes: number; readonly gcHeapBytes: number };
}

/** What one instance served (`GET {url}/api/diagnostics`). */
export async function diagnostics(url: string): Promise<Diagnostics> {
  const response = await fetch(`${url}/api/diagnostics`);
  if (response.status !== 200) throw new Error(`GET ${url}/api/diagnostics: ${response.status}`);
  return (await response.json()) as Diagnostics;
}

/** Where a connection was served (on the instances that are up): per instance name, its requests naming it and whether it holds the hub connection. */
export async function servedWhere(
  connectionId: string,
): Promise<
  Record<
    string,
    { readonly requests: readonly ServedRequest[]; readonly connection: ServedConnection | undefined }
  >
> {
  // A killed instance does not answer: it holds nothing now.
  const all = (
    await Promise.all(
      scale().instances.map(
        async ({ name, url }) => [name, await diagnostics(url).catch(() => undefined)] as const,
      ),
    )
  ).filter((entry): entry is readonly [string, Diagnostics] => entry[1] !== undefined);
  return Object.fromEntries(
    all.map(([name, d]) => [
      name,
      {
        requests: d.requests.filter((r) => r.connectionId === connectionId),
        connection: d.connections.find((c) => c.connectionId === connectionId),
      },
    ]),
  );
}

/**
 * The instance holding the hub connection `connectionId` (its OnConnectedAsync ran there), or undefined. ASP.NET
 * Core answers the handshake before it runs OnConnectedAsync: a client may see itself connected a moment before,
 * so a connection not found yet is looked for again for up to 5 s (OnConnectedAsync writes presence to Redis and
 * broadcasts through it: on a loaded machine that takes a while).
 */
export async function instanceOf(connectionId: string): Promise<string | undefined> {
  for (let tries = 0; ; tries++) {
    const where = await servedWhere(connectionId);
    const found = Object.entries(where).find(([, served]) => served.connection !== undefined)?.[0];
    if (found !== undefined || tries === 100) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills an instance (SIGKILL) and waits until the balancer sees it down. */
export async function killInstance(name: string): Promise<void> {
  await control('kill', name);
}

/** Starts a killed instance again on its port and waits until the balancer sees it up. */
export async function startInstance(name: string): Promise<void> {
  await control('start', name);
}

async function control(action: 'kill' | 'start', name: string): Promise<void> {
  const response = await fetch(`${scale().controlUrl}/${action}/${name}`, { method: 'POST' });
  if (response.status !== 204)
    throw new Error(`${action} ${name}: ${response.status} ${await response.text()}`);
}

/** The instance URL of `name`. */
export function instanceUrl(name: string): string {
  const found = scale().instances.find((each) => each.name === name);
  if (found === undefined) throw new Error(`no instance ${name}`);
  return found.url;
}
