import type { HubConnectionOptions } from '../../src/client/options.js';
import type { UntypedHub } from '../../src/client/typed.js';
import { createHub, type SharedHub, type SharedHubOptions } from '../../src/shared/hub.js';
import { fakeServerOptions } from '../support/connection.js';
import { FakeServer, type FakeServerOptions } from '../support/fake-server.js';
import { flush, VirtualClock } from '../support/virtual-clock.js';

export interface HubHarness {
  readonly clock: VirtualClock;
  readonly server: FakeServer;
  readonly hub: SharedHub<UntypedHub, UntypedHub>;
}

/** A shared hub over a {@link FakeServer} (fake WebSocket and fetch), on a virtual clock. */
export function hubHarness(
  options: Partial<SharedHubOptions & HubConnectionOptions> = {},
  serverOptions: FakeServerOptions = {},
): HubHarness {
  const clock = new VirtualClock();
  const server = new FakeServer(serverOptions);
  const hub = createHub({ ...fakeServerOptions(server, clock), ...options });
  return { clock, server, hub };
}

/** Lets the connection get through negotiate, WebSocket and handshake (nothing is timed there). */
export async function settle(): Promise<void> {
  await flush();
}
