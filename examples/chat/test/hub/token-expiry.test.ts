// Tokens that expire during a session, on both servers (each started here with 2-second tokens): the hubrx client
// gets a fresh one through its accessTokenFactory (an app's login, which logs in again only when asked to) when the
// server answers 401, without a visible error: on Server-Sent Events and Long Polling at the next HTTP request (a
// send), on WebSockets at the next connect. An open WebSocket outlives its token (neither server closes it).

import type { ConnectionStatus } from '@hubrx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TokenResponse } from '../../shared/contract.js';
import {
  chatConnections,
  inbox,
  loginTokenFactory,
  postToken,
  settle,
  stateWhere,
  uniqueName,
  until,
} from '../support/clients.js';
import { startChatServer, type RunningChatServer } from '../support/servers.js';
import { chatTargets } from '../support/targets.js';

const LIFETIME_SECONDS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Comfortably above the servers' 32 KB MaximumReceiveMessageSize: the server closes, allowing a reconnect. */
const TOO_BIG = 'x'.repeat(33 * 1024);

for (const target of chatTargets()) {
  describe.skipIf(!target.available)(`chat hub: token expiry [${target.label}]`, () => {
    let server: RunningChatServer | undefined;
    beforeAll(async () => {
      server = await startChatServer(target.kind, { tokenLifetimeSeconds: LIFETIME_SECONDS });
    });
    afterAll(() => server?.stop());
    const url = () => server!.url;
    const create = chatConnections(url);

    it('issues tokens for the configured lifetime', async () => {
      const response = await postToken(url(), { username: 'alice', password: 'hubrx-demo' });
      const { expiresAt } = (await response.json()) as TokenResponse;
      const left = Date.parse(expiresAt) - Date.now();
      expect(left).toBeGreaterThan((LIFETIME_SECONDS - 1) * 1000 - 50);
      expect(left).toBeLessThanOrEqual(LIFETIME_SECONDS * 1000);
    });

    it('refreshes an expired token through accessTokenFactory on every transport, without a reconnect', async () => {
      const listener = create(uniqueName('listener'), { transports: ['webSockets'] });
      const box = inbox(listener);
      await settle(listener.start(), 'the listener connected');
      const clients = await Promise.all(
        (['webSockets', 'serverSentEvents', 'longPolling'] as const).map(async (transport) => {
          const tokens = loginTokenFactory(url(), 'alice');
          const hub = create(tokens, { transports: [transport] });
          await settle(hub.start(), `${transport} connected`);
          const statuses: ConnectionStatus[] = [];
          hub.state$.subscribe((state) => statuses.push(state.status));
          return { transport, tokens, hub, statuses, connectionId: hub.state.connectionId };
        }),
      );
      await sleep(LIFETIME_SECONDS * 1000 + 1100);

      for (const { transport, tokens, hub, statuses, connectionId } of clients) {
        const text = `after expiry over ${transport}`;
        await settle(hub.invoke('SendMessage', text), `SendMessage over ${transport}`);
        await until(() => box.newMessage.some(([, t]) => t === text), `the message over ${transport}`);
        expect(box.newMessage).toContainEqual(['alice', text]);
        // Connected all along, on the same connection.
        expect(statuses.every((status) => status === 'connected')).toBe(true);
        expect(hub.state.connectionId).toBe(connectionId);
        const refreshed = tokens.calls.filter((call) => call.forceRefresh);
        // HTTP sends carry the token (refreshed after the 401); an open WebSocket needs none.
        expect(refreshed.length).toBe(transport === 'webSockets' ? 0 : 1);
      }
    });

    it('refreshes an expired token when a WebSocket reconnects', async () => {
      const tokens = loginTokenFactory(url(), 'bob');
      const hub = create(tokens, { transports: ['webSockets'] });
      await settle(hub.start(), 'connected');
      const first = hub.state.connectionId;
      expect(tokens.calls.map((call) => call.forceRefresh)).toEqual([false]);
      await sleep(LIFETIME_SECONDS * 1000 + 1100);

      // The server closes the connection (a message over its size limit) and allows a reconnect: the client's
      // negotiate carries the expired token, gets 401, and asks the factory for a fresh one.
      hub.invoke('SendMessage', TOO_BIG).then(
        () => undefined,
        () => undefined,
      );
      await stateWhere(hub, 'connected', (state) => state.connectionId !== first, 10_000);
      expect(tokens.calls.map((call) => call.forceRefresh)).toEqual([false, false, true]);
      const back = await settle(hub.invoke('OnlineUsers'), 'OnlineUsers');
      expect(back).toContain('bob');
    });
  });
}
