import { createHubConnection, type HubConnection } from '../../src/client/hub-connection.js';
import type { HubConnectionOptions } from '../../src/client/options.js';
import type { ConnectionState } from '../../src/client/state.js';
import type { UntypedHub } from '../../src/client/typed.js';
import { FakeServer, type FakeServerOptions } from './fake-server.js';
import { flush, VirtualClock } from './virtual-clock.js';

export interface Harness {
  readonly clock: VirtualClock;
  readonly server: FakeServer;
  readonly connection: HubConnection<UntypedHub, UntypedHub>;
  readonly states: ConnectionState[];
  /** The statuses seen so far, deduplicated consecutive. */
  statuses(): string[];
}

/** The options that connect to `server` over its fake WebSocket and fetch, on `clock`. */
export function fakeServerOptions(server: FakeServer, clock: VirtualClock) {
  return {
    url: 'http://hub.test/chat',
    transports: ['webSockets'],
    WebSocket: server.WebSocket,
    fetch: server.fetch,
    clock,
  } satisfies HubConnectionOptions;
}

/** A connection to a {@link FakeServer} over a fake WebSocket, on a virtual clock. */
export function harness(
  options: Partial<HubConnectionOptions> = {},
  serverOptions: FakeServerOptions = {},
): Harness {
  const clock = new VirtualClock();
  const server = new FakeServer(serverOptions);
  const connection = createHubConnection({ ...fakeServerOptions(server, clock), ...options });
  const states: ConnectionState[] = [];
  connection.state$.subscribe((state) => states.push(state));
  return {
    clock,
    server,
    connection,
    states,
    statuses: () =>
      states.map((state) => state.status).filter((status, i, all) => i === 0 || all[i - 1] !== status),
  };
}

/** Starts and lets the first Ping go out. */
export async function connected(h: Harness): Promise<void> {
  await h.connection.start();
  await flush();
}
