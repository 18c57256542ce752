// Through the load balancer, in Node: with sticky sessions (HAProxy's cookie) and a cookie jar (cookieFetch and
// nodeWebSocket's cookieJar), negotiate and every request of the connection reach the same instance, on every
// transport and protocol, by the instances' own account. Without the jar, or without stickiness, a request reaches an
// instance that does not know the connection: a ConnectionNotFoundError, and the reconnect policy recovers with a new
// negotiate. WebSockets with skipNegotiation need no stickiness.

import { ConnectionNotFoundError, fixedDelays, noReconnect, type ConnectionState } from '@hubrx/core';
import { cookieFetch, nodeWebSocket } from '@hubrx/core/node';
import { CookieJar } from 'tough-cookie';
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';

import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  chatConnections,
  settle,
  signToken,
} from '../../examples/chat/test/support/clients.js';
import { STICKY_COOKIE } from '../support/balancer.js';
import { describeScale, diagnostics, instanceOf, scale, servedWhere, user } from './support/clients.js';

const SERVER_TRANSPORT = {
  webSockets: 'webSocket',
  serverSentEvents: 'serverSentEvents',
  longPolling: 'poll',
};

/** A Node client's cookies, as a browser would keep them. */
function jarOptions(jar = new CookieJar()) {
  return { jar, fetch: cookieFetch(jar), WebSocket: nodeWebSocket(WebSocket, { cookieJar: jar }) };
}

describeScale('through the sticky load balancer (Node, with a cookie jar)', () => {
  const connect = chatConnections(() => scale().stickyUrl);

  for (const each of CLIENT_CASES) {
    it(`negotiate and every request of the connection reach the instance the cookie names (${caseTitle(each)})`, async () => {
      const { jar, ...cookies } = jarOptions();
      const connection = connect(user('sticky'), {
        ...caseOptions(each),
        ...cookies,
        reconnect: noReconnect(),
      });
      await settle(connection.start(), 'start');
      // Calls are sends (POSTs) over Server-Sent Events and Long Polling: each must reach the same instance.
      for (let i = 0; i < 3; i++) await settle(connection.invoke('SendMessage', `m${i}`), 'SendMessage');
      const id = connection.state.connectionId!;
      const instance = await instanceOf(id);
      expect(instance).toBeDefined();
      const cookie = jar.getCookiesSync(scale().stickyUrl).find((c) => c.key === STICKY_COOKIE);
      expect(cookie?.value).toBe(instance);
      const where = await servedWhere(id);
      for (const [name, served] of Object.entries(where)) {
        if (name !== instance) {
          expect(served.requests).toEqual([]);
          continue;
        }
        const kinds = served.requests.map((r) => r.kind);
        expect(kinds[0]).toBe('negotiate');
        expect(kinds).toContain(SERVER_TRANSPORT[each.transport]);
        if (each.transport !== 'webSockets')
          expect(kinds.filter((k) => k === 'send').length).toBeGreaterThanOrEqual(4);
        for (const request of served.requests)
          expect(request.status === null || request.status < 400).toBe(true);
        expect(served.connection?.invocations).toBe(3);
      }
    });
  }

  it('spreads new clients over the instances, and a cookie set in advance picks the instance', async () => {
    const instances = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const { jar: _jar, ...cookies } = jarOptions();
      const connection = connect(user('spread'), { ...cookies, reconnect: noReconnect() });
      await settle(connection.start(), 'start');
      instances.add((await instanceOf(connection.state.connectionId!))!);
    }
    expect(instances.size).toBeGreaterThanOrEqual(2);
    for (const pinned of ['a', 'b', 'c']) {
      const { jar, ...cookies } = jarOptions();
      jar.setCookieSync(`${STICKY_COOKIE}=${pinned}`, scale().stickyUrl);
      const connection = connect(user('pinned'), {
        transports: ['longPolling'],
        ...cookies,
        reconnect: noReconnect(),
      });
      await settle(connection.start(), 'start');
      expect(await instanceOf(connection.state.connectionId!)).toBe(pinned);
    }
  });

  it('without a cookie jar, Long Polling and Server-Sent Events fail with a ConnectionNotFoundError', async () => {
    for (const transport of ['longPolling', 'serverSentEvents'] as const) {
      // Round robin without the cookie: negotiate reaches one instance, the connection's next request another.
      const connection = connect(user('jarless'), { transports: [transport], reconnect: noReconnect() });
      const error = await connection.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionNotFoundError);
      expect(error).toMatchObject({ statusCode: 404 });
    }
  });
});

describeScale('through a load balancer without stickiness (Node)', () => {
  const connect = chatConnections(() => scale().randomUrl);

  it.each(['webSockets', 'serverSentEvents', 'longPolling'] as const)(
    'a %s request reaching another instance than negotiate is a ConnectionNotFoundError, by both instances’ account',
    async (transport) => {
      // Each request goes to a random instance of three: tries until one connection attempt lands elsewhere.
      for (let attempt = 1; ; attempt++) {
        const connection = connect(user('random'), { transports: [transport], reconnect: noReconnect() });
        const error = await connection.start().then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        if (error === undefined) {
          expect(attempt).toBeLessThan(30);
          await connection.stop();
          continue;
        }
        expect(error).toBeInstanceOf(ConnectionNotFoundError);
        expect(error.message).toMatch(/answered 404: this server does not know the connection/);
        // Server side: one instance negotiated a connection; another answered 404 to a token it did not know.
        const all = await Promise.all(scale().instances.map(async ({ url }) => diagnostics(url)));
        const notFound = all.flatMap((d) =>
          d.requests.filter((r) => r.status === 404 && r.knownToken === false).map((r) => ({ d, r })),
        );
        expect(notFound.length).toBeGreaterThan(0);
        return;
      }
    },
  );

  it('the reconnect policy recovers with a new negotiate until the WebSocket reaches the negotiating instance', async () => {
    for (let run = 1; run <= 30; run++) {
      const reasons: Error[] = [];
      const retries = fixedDelays(Array.from({ length: 40 }, () => 0));
      const connection = connect(user('recover'), {
        transports: ['webSockets'],
        reconnect: (context) => (reasons.push(context.reason), retries(context)),
      });
      const states: ConnectionState[] = [];
      connection.state$.subscribe((state) => states.push(state));
      await settle(connection.start({ retry: true }), 'start with retries');
      const id = connection.state.connectionId!;
      if (reasons.length === 0) {
        await connection.stop();
        continue; // landed on the right instance at once: try again
      }
      for (const reason of reasons) expect(reason).toBeInstanceOf(ConnectionNotFoundError);
      expect(states.some((s) => s.lastError instanceof ConnectionNotFoundError)).toBe(true);
      // The connection that worked: negotiated and upgraded on one instance (which may run OnConnectedAsync a moment
      // after the client saw the handshake: instanceOf waits for it).
      expect(await instanceOf(id)).toBeDefined();
      const where = await servedWhere(id);
      const holders = Object.entries(where).filter(([, served]) => served.requests.length > 0);
      expect(holders).toHaveLength(1);
      expect(holders[0]![1].requests.map((r) => r.kind)).toEqual(['negotiate', 'webSocket']);
      expect(holders[0]![1].connection?.transport).toBe('WebSockets');
      return;
    }
    throw new Error('30 runs connected at once: the balancer is not random');
  });

  it('WebSockets with skipNegotiation need no stickiness: one request per connection', async () => {
    const instances = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const name = user('skip');
      const connection = connect(
        { accessTokenFactory: () => signToken(name) },
        { transports: ['webSockets'], skipNegotiation: true, reconnect: noReconnect() },
      );
      await settle(connection.start(), 'start');
      await settle(connection.invoke('SendMessage', 'hi'), 'SendMessage');
      // Without negotiate the connection id is not known to the client: find it by user.
      const all = await Promise.all(scale().instances.map(async ({ url }) => diagnostics(url)));
      const holders = all.filter((d) => d.connections.some((c) => c.user === name && c.open));
      expect(holders).toHaveLength(1);
      instances.add(holders[0]!.instance);
      await connection.stop();
    }
    expect(instances.size).toBeGreaterThanOrEqual(2);
  });
});
