// Access tokens and cookies as a browser sends them: the token as an Authorization header on negotiate (and on
// every fetch), as the `access_token` query parameter where the browser cannot send headers (WebSocket,
// EventSource); the cookies negotiate sets travel on the connection's requests.
import type { TransportName } from '@hubrx/core';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeChromium } from './support/chromium.js';
import { startBrowserHarness, type BrowserHarness } from './support/harness.js';
import { SERVER_TRANSPORT_NAME } from './support/scenario.js';

const TRANSPORTS: readonly TransportName[] = ['webSockets', 'serverSentEvents', 'longPolling'];

interface Connected {
  readonly user: unknown;
  readonly authorizationHeader: unknown;
  readonly transport: unknown;
  readonly tokens: readonly string[];
}

/** Connects `window.hub` with a token of `user` from `/generateJwtToken`, and asks the hub who we are. */
function connectWithToken(
  page: Page,
  options: { url: string; transport: TransportName; user: string },
): Promise<Connected> {
  return page.evaluate(async ({ url, transport, user }) => {
    const hubrx = window.hubrx;
    const tokens: string[] = [];
    window.hub = hubrx.createHubConnection({
      url,
      transports: [transport],
      reconnect: hubrx.noReconnect(),
      accessTokenFactory: async () => {
        const base = new URL(url, location.href).origin;
        const response = await fetch(`${base}/generateJwtToken?user=${user}&expiresInSeconds=300`);
        const token = await response.text();
        tokens.push(token);
        return token;
      },
    });
    await window.hub.start();
    const result = {
      user: await window.hub.invoke('GetUserIdentifier'),
      authorizationHeader: await window.hub.invoke('GetHeader', 'Authorization'),
      transport: await window.hub.invoke('GetActiveTransportName'),
      tokens,
    };
    await window.hub.stop();
    return result;
  }, options);
}

describeChromium('tokens and cookies in Chromium', () => {
  let harness: BrowserHarness;
  let page: Page;

  beforeAll(async () => {
    harness = await startBrowserHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(async () => {
    ({ page } = await harness.newPage());
    harness.requests.length = 0;
  });
  afterEach(async () => {
    await page.context().close();
    expect(harness.pageErrors).toEqual([]);
  });

  describe('the access token', () => {
    it('goes as an Authorization header on negotiate and as access_token on the WebSocket', async () => {
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      const connecting = harness.server.waitForConnection({ hub: '/testhub', userId: 'alice' });

      const result = await connectWithToken(page, {
        url: '/testhub',
        transport: 'webSockets',
        user: 'alice',
      });

      const token = result.tokens[0];
      expect(result).toEqual({
        user: 'alice',
        authorizationHeader: null,
        transport: 'WebSockets',
        tokens: [token],
      });
      // The server's view: a connection of user alice over WebSockets, whose upgrade request had no header.
      const connection = await connecting;
      expect(connection.transport).toBe('WebSockets');
      expect(connection.user?.id).toBe('alice');
      const negotiates = harness.requests.filter((r) => r.path === '/testhub/negotiate');
      expect(negotiates).toHaveLength(1);
      expect(negotiates[0]?.authorization).toBe(`Bearer ${token}`);
      expect(negotiates[0]?.query.access_token).toBeUndefined();
      // The browser's view of the WebSocket: the token in the query, next to the connection token.
      expect(sockets).toHaveLength(1);
      const socketUrl = new URL(sockets[0] ?? '');
      expect(socketUrl.protocol).toBe('ws:');
      expect(socketUrl.pathname).toBe('/testhub');
      expect(socketUrl.searchParams.get('access_token')).toBe(token);
      expect(socketUrl.searchParams.get('id')).toBeTruthy();
    });

    it('goes as access_token on the EventSource, and as a header on negotiate and sends', async () => {
      const result = await connectWithToken(page, {
        url: '/testhub',
        transport: 'serverSentEvents',
        user: 'bob',
      });

      const token = result.tokens[0];
      expect(result).toMatchObject({ user: 'bob', transport: 'ServerSentEvents', tokens: [token] });
      const stream = harness.requests.filter((r) => r.method === 'GET' && r.path === '/testhub');
      expect(stream).toHaveLength(1);
      expect(stream[0]?.accept).toBe('text/event-stream');
      expect(stream[0]?.query.access_token).toBe(token);
      const others = harness.requests.filter(
        (r) => r.path.startsWith('/testhub') && !(r.method === 'GET' && r.path === '/testhub'),
      );
      expect(others.map((r) => r.method)).toEqual(expect.arrayContaining(['POST', 'POST']));
      for (const request of others) {
        expect(request.authorization, `${request.method} ${request.path}`).toBe(`Bearer ${token}`);
        expect(request.query.access_token).toBeUndefined();
      }
    });

    it('goes as an Authorization header on every Long Polling request', async () => {
      const result = await connectWithToken(page, {
        url: '/testhub',
        transport: 'longPolling',
        user: 'carol',
      });

      const token = result.tokens[0];
      expect(result).toEqual({
        user: 'carol',
        authorizationHeader: `Bearer ${token}`,
        transport: 'LongPolling',
        tokens: [token],
      });
      const hubRequests = harness.requests.filter((r) => r.path.startsWith('/testhub'));
      expect(hubRequests.map((r) => r.method)).toEqual(expect.arrayContaining(['POST', 'GET', 'DELETE']));
      for (const request of hubRequests) {
        expect(request.authorization, `${request.method} ${request.path}`).toBe(`Bearer ${token}`);
        expect(request.query.access_token).toBeUndefined();
      }
    });

    it('is refreshed with forceRefresh after a 401, and the attempt retried', async () => {
      harness.server.faults.unauthorized(1);
      const result = await page.evaluate(async () => {
        const hubrx = window.hubrx;
        const asked: { forceRefresh: boolean; url: string }[] = [];
        window.hub = hubrx.createHubConnection({
          url: '/authorizedhub',
          transports: ['webSockets'],
          reconnect: hubrx.noReconnect(),
          accessTokenFactory: async ({ forceRefresh, url }) => {
            asked.push({ forceRefresh, url });
            const user = forceRefresh ? 'refreshed' : 'stale';
            return (await fetch(`/generateJwtToken?user=${user}&expiresInSeconds=300`)).text();
          },
        });
        await window.hub.start();
        const user = await window.hub.invoke('GetUserIdentifier');
        await window.hub.stop();
        return { asked, user };
      });
      expect(result).toEqual({
        asked: [
          { forceRefresh: false, url: `${harness.server.url}/authorizedhub` },
          { forceRefresh: true, url: `${harness.server.url}/authorizedhub` },
        ],
        user: 'refreshed',
      });
    });

    it('opens the authorized hub, which refuses a connection without one', async () => {
      const result = await page.evaluate(async () => {
        const hubrx = window.hubrx;
        const anonymous = hubrx.createHubConnection({
          url: '/authorizedhub',
          reconnect: hubrx.noReconnect(),
        });
        const refused = await anonymous.start().then(
          () => null,
          (error: Error & { statusCode?: number }) => ({ name: error.name, statusCode: error.statusCode }),
        );
        const token = await (await fetch('/generateJwtToken?user=dave&expiresInSeconds=300')).text();
        window.hub = hubrx.createHubConnection({
          url: '/authorizedhub',
          reconnect: hubrx.noReconnect(),
          accessTokenFactory: () => token,
        });
        await window.hub.start();
        const echo = await window.hub.invoke('Echo', 'authorized');
        const user = await window.hub.invoke('GetUserIdentifier');
        await window.hub.stop();
        return { refused, echo, user };
      });
      expect(result).toEqual({
        refused: { name: 'NegotiateError', statusCode: 401 },
        echo: 'authorized',
        user: 'dave',
      });
    });

    it('reaches a hub on another origin: CORS with credentials and a preflighted Authorization header', async () => {
      // The same server under another host name is another origin (and another site) for the browser.
      const otherOrigin = harness.pageUrl.replace('127.0.0.1', 'localhost');
      const { page: foreign, context } = await harness.newPage(otherOrigin);
      try {
        for (const transport of TRANSPORTS) {
          const result = await connectWithToken(foreign, {
            url: `${harness.server.url}/testhub`,
            transport,
            user: 'erin',
          });
          expect(result).toMatchObject({ user: 'erin', transport: SERVER_TRANSPORT_NAME[transport] });
        }
        // Cross-origin requests (the Authorization header makes them preflighted), answered with CORS headers.
        const origins = new Set(
          harness.requests.filter((r) => r.path.startsWith('/testhub')).map((r) => r.origin),
        );
        expect([...origins]).toEqual([new URL(otherOrigin).origin]);
      } finally {
        await context.close();
      }
    });
  });

  describe('cookies', () => {
    it.each(TRANSPORTS)('set by negotiate reach the hub over %s', async (transport) => {
      expect(await page.context().cookies()).toEqual([]);
      const cookies = await page.evaluate(async (chosen) => {
        const hubrx = window.hubrx;
        window.hub = hubrx.createHubConnection({
          url: '/testhub',
          transports: [chosen],
          reconnect: hubrx.noReconnect(),
        });
        await window.hub.start();
        const result = {
          testCookie: await window.hub.invoke('GetCookie', 'testCookie'),
          testCookie2: await window.hub.invoke('GetCookie', 'testCookie2'),
          expiredCookie: await window.hub.invoke('GetCookie', 'expiredCookie'),
          transport: await window.hub.invoke('GetActiveTransportName'),
        };
        await window.hub.stop();
        return result;
      }, transport);
      expect(cookies).toEqual({
        testCookie: 'testValue',
        testCookie2: 'testValue2',
        expiredCookie: null,
        transport: SERVER_TRANSPORT_NAME[transport],
      });
      const stored = await page.context().cookies();
      expect(stored.map((c) => `${c.name}=${c.value}`).sort()).toEqual([
        'testCookie2=testValue2',
        'testCookie=testValue',
      ]);
    });

    it('travel same-origin with withCredentials: false too', async () => {
      const cookie = await page.evaluate(async () => {
        const hubrx = window.hubrx;
        window.hub = hubrx.createHubConnection({
          url: '/testhub',
          transports: ['longPolling'],
          withCredentials: false,
          reconnect: hubrx.noReconnect(),
        });
        await window.hub.start();
        const value = await window.hub.invoke('GetCookie', 'testCookie');
        await window.hub.stop();
        return value;
      });
      expect(cookie).toBe('testValue');
    });
  });
});
