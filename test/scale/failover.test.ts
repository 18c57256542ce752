// An instance dies (SIGKILL: no goodbye to its clients or to Redis), in Node, through the sticky balancer: its clients
// reconnect to a live instance, rejoin their rooms as the chat app does (onConnectionLost of shared/chat.ts, with
// core's outbox), the state observable shows it, and presence stays right (users who moved stay online; a user who
// does not come back is reported gone once the instance's heartbeat has stopped). The messages lost in flight are
// counted: room messages the server accepted while a client was between instances. With stateful reconnect, the
// attempt to resume on another instance fails cleanly (ConnectionNotFoundError) into a new connection.

import {
  ConnectionClosedError,
  ConnectionNotFoundError,
  exponentialBackoff,
  fixedDelays,
  noReconnect,
  outbox,
  statefulReconnect,
  type ConnectionState,
} from '@hubrx/core';
import { cookieFetch, nodeWebSocket } from '@hubrx/core/node';
import { CookieJar } from 'tough-cookie';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';

import { onConnectionLost } from '../../examples/chat/shared/chat.js';
import {
  chatConnections,
  inbox,
  settle,
  until,
  type ChatConnection,
} from '../../examples/chat/test/support/clients.js';
import { STICKY_COOKIE } from '../support/balancer.js';
import { describeScale, instanceOf, killInstance, scale, startInstance, user } from './support/clients.js';

/** Cookies for one Node client, its sticky cookie set in advance to `instance`. */
function pinnedTo(instance: string) {
  const jar = new CookieJar();
  jar.setCookieSync(`${STICKY_COOKIE}=${instance}`, scale().stickyUrl);
  return {
    jar,
    options: { fetch: cookieFetch(jar), WebSocket: nodeWebSocket(WebSocket, { cookieJar: jar }) },
  };
}

function statesOf(connection: ChatConnection): ConnectionState[] {
  const states: ConnectionState[] = [];
  connection.state$.subscribe((state) => states.push(state));
  return states;
}

describeScale('an instance is killed (Node, through the sticky balancer)', () => {
  const connect = chatConnections(() => scale().stickyUrl);
  afterAll(async () => {
    await startInstance('b');
  });

  it('its clients reconnect to a live instance and rejoin their rooms; presence stays right; losses are counted', async () => {
    const sender = connect(user('sender'), { ...pinnedTo('a').options, outbox: outbox() });
    const stayer = connect(user('stayer'), pinnedTo('c').options);
    const watcher = connect(user('watcher'), pinnedTo('c').options);
    const leaverName = user('leaver');
    const leaver = connect(leaverName, { ...pinnedTo('b').options, reconnect: noReconnect() });
    const movers = [0, 1].map(() => {
      const name = user('mover');
      const pinned = pinnedTo('b');
      const connection = connect(name, {
        ...pinned.options,
        outbox: outbox(),
        reconnect: exponentialBackoff({ initialMs: 200, maxMs: 1000 }),
      });
      const received: number[] = [];
      connection.on('roomMessage').subscribe(([m]) => received.push(Number(m.text.slice(2))));
      let rejoinedAt = Number.POSITIVE_INFINITY;
      // The chat app's rejoin: JoinRoom as soon as the connection is lost (it waits in the outbox).
      onConnectionLost(connection, () => {
        void connection.invoke('JoinRoom', 'general').then(() => (rejoinedAt = Date.now()));
      });
      return {
        name,
        jar: pinned.jar,
        connection,
        received,
        states: statesOf(connection),
        rejoined: () => rejoinedAt,
      };
    });
    const watched = inbox(watcher);
    const stayerReceived: number[] = [];
    stayer.on('roomMessage').subscribe(([m]) => stayerReceived.push(Number(m.text.slice(2))));

    for (const c of [sender, stayer, watcher, leaver, ...movers.map((m) => m.connection)])
      await settle(c.start(), 'start');
    for (const c of [sender, stayer, ...movers.map((m) => m.connection)])
      await settle(c.invoke('JoinRoom', 'general'), 'join');
    const before = await Promise.all(movers.map((m) => instanceOf(m.connection.state.connectionId!)));
    expect(before).toEqual(['b', 'b']);
    expect(await instanceOf(leaver.state.connectionId!)).toBe('b');

    // The sender posts a numbered room message every 20 ms; `acked` holds when the server accepted each.
    const acked = new Map<number, { readonly sentAt: number; readonly ackedAt: number }>();
    let sending = true;
    const loop = (async () => {
      for (let n = 0; sending; n++) {
        const sentAt = Date.now();
        void sender.invoke('SendToRoom', 'general', `n:${n}`).then(
          () => acked.set(n, { sentAt, ackedAt: Date.now() }),
          () => undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await until(() => acked.size >= 25, '25 messages before the kill', 10_000);
    const killedAt = Date.now();
    // Back for the next test even if this one fails.
    onTestFinished(() => startInstance('b'));
    await killInstance('b');

    // The movers reconnect elsewhere (a new server connection), rejoin, and get new messages.
    for (const mover of movers) {
      await until(
        () => mover.connection.state.status === 'connected' && mover.rejoined() < Number.POSITIVE_INFINITY,
        `${mover.name} reconnected and rejoined`,
        20_000,
      );
    }
    const rejoinedAll = Math.max(...movers.map((m) => m.rejoined()));
    await until(
      () => [...acked.values()].filter((a) => a.sentAt > rejoinedAll).length >= 25,
      '25 messages after the rejoin',
      10_000,
    );
    sending = false;
    await loop;
    // Delivery lags the sender's acknowledgement: wait for what must arrive (every message at the stayer, and at
    // each mover what was sent after its rejoin) before counting what did not.
    await until(
      () =>
        acked.size > 0 &&
        [...acked].every(
          ([n, { sentAt }]) =>
            stayerReceived.includes(n) &&
            movers.every((mover) => sentAt < mover.rejoined() || mover.received.includes(n)),
        ),
      'the stayer has all, and each mover all sent after its rejoin',
      5_000,
    );

    const report: string[] = [];
    for (const mover of movers) {
      const { states, connection } = mover;
      const statuses = states.map((s) => s.status);
      expect(statuses.slice(statuses.indexOf('reconnecting'))).toContain('connected');
      const lost = states.find((s) => s.status === 'reconnecting');
      expect(lost?.lastError).toBeInstanceOf(Error);
      const now = await instanceOf(connection.state.connectionId!);
      expect(['a', 'c']).toContain(now);
      expect(connection.state.connectionId).not.toBe(
        states.find((s) => s.status === 'connected')?.connectionId,
      );
      // The balancer moved the client and told it so with a new sticky cookie.
      expect(mover.jar.getCookiesSync(scale().stickyUrl).find((c) => c.key === STICKY_COOKIE)?.value).toBe(
        now,
      );
      // Nothing accepted by the server after the rejoin is missed; what was accepted while away is lost.
      const missed = [...acked].filter(([n]) => !mover.received.includes(n));
      for (const [, { sentAt }] of missed) expect(sentAt).toBeLessThan(mover.rejoined());
      for (const [, { ackedAt }] of missed) expect(ackedAt).toBeGreaterThan(killedAt - 1000);
      report.push(
        `${mover.name}: ${missed.length} of ${acked.size} lost in flight, moved to ${now} in ${mover.rejoined() - killedAt} ms`,
      );
    }
    // The chat's room history (in Redis) still holds what they missed: the app fills the gap from it.
    const history: number[] = [];
    for await (const message of movers[0]!.connection.stream('RoomHistory', 'general'))
      history.push(Number(message.text.slice(2)));
    const missedByFirst = [...acked.keys()].filter((n) => !movers[0]!.received.includes(n));
    expect(
      missedByFirst.filter((n) => n >= Math.max(...acked.keys()) - 49).every((n) => history.includes(n)),
    ).toBe(true);
    console.info(`[hubrx] instance b killed: ${report.join('; ')}; the stayer on c lost none`);

    // Presence: the movers never left; the leaver is reported gone once b's heartbeat has stopped.
    await until(
      () => watched.userLeft.includes(leaverName),
      'userLeft for the user who did not come back',
      10_000,
    );
    for (const mover of movers) expect(watched.userLeft).not.toContain(mover.name);
    const online = await settle(watcher.invoke('OnlineUsers'), 'OnlineUsers');
    expect(online).toEqual(expect.arrayContaining(movers.map((m) => m.name)));
    expect(online).not.toContain(leaverName);
    expect(leaver.state.status).toBe('disconnected');
    await startInstance('b');
  });

  it('with stateful reconnect, resuming on another instance fails cleanly into a new connection', async () => {
    const reasons: Error[] = [];
    const retries = fixedDelays(Array.from({ length: 40 }, () => 100));
    const connection = connect(user('stateful'), {
      ...pinnedTo('b').options,
      transports: ['webSockets'],
      statefulReconnect: statefulReconnect(),
      reconnect: (context) => (reasons.push(context.reason), retries(context)),
    });
    const states = statesOf(connection);
    // A direct message whose recipient never answers: a call in flight when the instance dies.
    const recipientName = user('silent');
    const recipient = connect(recipientName, pinnedTo('c').options);
    recipient.handle('directMessage', () => new Promise<boolean>(() => undefined));
    await settle(recipient.start(), 'recipient');
    await settle(connection.start(), 'start');
    const first = connection.state.connectionId!;
    expect(await instanceOf(first)).toBe('b');
    const pending = connection.invoke('SendDirect', recipientName, 'are you there?').then(
      () => undefined,
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Back for the next test even if this one fails.
    onTestFinished(() => startInstance('b'));
    await killInstance('b');
    await until(
      () => connection.state.status === 'connected' && connection.state.connectionId !== first,
      'a new connection',
      20_000,
    );
    // The resume reached a live instance, which does not know the connection: a new one was made there.
    expect(reasons.some((reason) => reason instanceof ConnectionNotFoundError)).toBe(true);
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    expect(['a', 'c']).toContain(await instanceOf(connection.state.connectionId!));
    const statuses = states.map((s) => s.status);
    expect(statuses).toEqual([
      'disconnected',
      'connecting',
      'connected',
      'reconnecting',
      ...statuses.slice(4),
    ]);
    expect(statuses.at(-1)).toBe('connected');
    expect(await settle(connection.invoke('OnlineUsers'), 'calls work on the new connection')).toContain(
      recipientName,
    );
    await startInstance('b');
  });
});
