// Across instances, in Node: three clients, each connected straight to a different instance of the ASP.NET Core chat
// server (a, b, c; the Redis backplane between them), receive each other's broadcasts, room (group) messages and
// direct (user-targeted) messages, on every transport and both protocols; presence, kept in Redis, is the same on
// every instance. Each instance's own account says which connection it holds and which hub methods it ran.

import { expect, it } from 'vitest';

import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  chatConnections,
  inbox,
  settle,
  until,
} from '../../examples/chat/test/support/clients.js';
import { describeScale, diagnostics, instanceUrl, servedWhere, user } from './support/clients.js';

describeScale('the chat across instances (Redis backplane)', () => {
  // chatConnections must be called in the describe body (it stops its connections after each test).
  const clients = Object.fromEntries(
    ['a', 'b', 'c'].map((name) => [name, chatConnections(() => instanceUrl(name))] as const),
  );

  for (const each of CLIENT_CASES) {
    it(`broadcasts, room messages, direct messages and presence reach clients on other instances (${caseTitle(each)})`, async () => {
      const alice = user('alice');
      const bob = user('bob');
      const carol = user('carol');
      const dave = user('dave');
      const make = (instance: string, name: string) => clients[instance]!(name, caseOptions(each));
      const a = make('a', alice);
      const b = make('b', bob);
      const c = make('c', carol);
      const d = make('c', dave);
      const boxes = { a: inbox(a), b: inbox(b), c: inbox(c), d: inbox(d) };
      b.handle('directMessage', (from, text) => {
        expect([from, text]).toEqual([alice, 'psst']);
        return true;
      });

      await settle(a.start(), 'alice connects to a');
      await settle(b.start(), 'bob connects to b');
      await settle(c.start(), 'carol connects to c');
      await settle(d.start(), 'dave connects to c');

      // Presence is one across instances: bob (on b) sees alice (on a) online, and alice heard bob join.
      await until(() => boxes.b.presence.length > 0 && boxes.d.presence.length > 0, 'the presence lists');
      expect(boxes.b.presence[0]).toEqual(expect.arrayContaining([alice, bob]));
      expect(boxes.d.presence[0]).toEqual(expect.arrayContaining([alice, bob, carol, dave]));
      await until(
        () => boxes.a.userJoined.includes(bob) && boxes.a.userJoined.includes(carol),
        'alice hears bob and carol join',
      );
      expect(await settle(c.invoke('OnlineUsers'), 'OnlineUsers on c')).toEqual(
        expect.arrayContaining([alice, bob, carol, dave]),
      );

      // A broadcast from a reaches b and c.
      await settle(a.invoke('SendMessage', `hello from a (${caseTitle(each)})`), 'SendMessage');
      await until(
        () => [boxes.b, boxes.c, boxes.d].every((box) => box.newMessage.some(([from]) => from === alice)),
        'the broadcast on b and c',
      );

      // A room message from b reaches the room's members on a and c, not dave (on c, not in the room).
      await settle(a.invoke('JoinRoom', 'general'), 'alice joins');
      await settle(c.invoke('JoinRoom', 'general'), 'carol joins');
      await settle(b.invoke('JoinRoom', 'general'), 'bob joins');
      const sent = await settle(b.invoke('SendToRoom', 'general', 'room message from b'), 'SendToRoom');
      await until(
        () => [boxes.a, boxes.b, boxes.c].every((box) => box.roomMessage.some((m) => m.id === sent.id)),
        'the room message on a, b (its sender) and c',
      );
      expect(boxes.b.roomMessage.filter((m) => m.id === sent.id)).toHaveLength(1);
      expect(boxes.d.roomMessage).toEqual([]);
      // The history is shared: c streams the message b posted.
      const history = [] as string[];
      for await (const message of c.stream('RoomHistory', 'general')) history.push(message.id);
      expect(history).toContain(sent.id);

      // A direct message from a to bob (on b): a client result across the backplane, answered by bob's page.
      const receipt = await settle(a.invoke('SendDirect', bob, 'psst'), 'SendDirect');
      expect(receipt).toMatchObject({ to: bob, read: true });

      // The instances' account: each holds its own client's connection, over the transport asked for, and ran
      // the calls of that client only.
      const served = await Promise.all(
        (
          [
            ['a', a],
            ['b', b],
            ['c', c],
          ] as const
        ).map(async ([instance, connection]) => ({
          instance,
          where: await servedWhere(connection.state.connectionId!),
        })),
      );
      for (const { instance, where } of served) {
        for (const [name, seen] of Object.entries(where)) {
          if (name === instance) {
            expect(seen.connection).toMatchObject({
              transport: {
                webSockets: 'WebSockets',
                serverSentEvents: 'ServerSentEvents',
                longPolling: 'LongPolling',
              }[each.transport],
              open: true,
            });
            expect(seen.requests.map((r) => r.kind)).toContain('negotiate');
          } else {
            expect(seen.connection).toBeUndefined();
            expect(seen.requests).toEqual([]);
          }
        }
      }
      const [onA] = served;
      expect(onA!.where.a!.connection!.invocations).toBe(3); // SendMessage, JoinRoom, SendDirect

      // Bob leaves b: alice, on a, hears it.
      await b.stop();
      await until(
        () => boxes.a.userLeft.includes(bob) && boxes.c.userLeft.includes(bob),
        'alice (on a) and carol (on c) hear bob leave',
      );
    });
  }

  it('a user with connections on two instances stays online until the last one closes', async () => {
    const erin = user('erin');
    const watcher = user('watcher');
    const w = clients.a!(watcher);
    const box = inbox(w);
    await settle(w.start(), 'the watcher connects');
    const first = clients.b!(erin);
    const second = clients.c!(erin);
    await settle(first.start(), "erin's first connection (b)");
    await settle(second.start(), "erin's second connection (c)");
    // ASP.NET Core answers the handshake before OnConnectedAsync runs: a call's answer comes after it.
    await settle(second.invoke('OnlineUsers'), 'a call on the second connection');
    await until(() => box.userJoined.includes(erin), 'erin joined');
    await first.stop();
    // The second connection, on another instance, still counts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(box.userLeft).not.toContain(erin);
    expect(await settle(w.invoke('OnlineUsers'), 'OnlineUsers')).toContain(erin);
    await second.stop();
    await until(() => box.userLeft.includes(erin), 'erin left');
    expect(box.userJoined.filter((name) => name === erin)).toHaveLength(1);
    expect(box.userLeft.filter((name) => name === erin)).toHaveLength(1);
    expect(await settle(w.invoke('OnlineUsers'), 'OnlineUsers')).not.toContain(erin);
  });

  it('each instance counts what it received: calls land on the instance of the calling connection', async () => {
    const before = await Promise.all(
      ['a', 'b'].map(async (name) => (await diagnostics(instanceUrl(name))).invocations),
    );
    const senders = ['a', 'b'].map((name) => clients[name]!(user(`sender-${name}`)));
    await Promise.all(senders.map((s) => settle(s.start(), 'connect')));
    for (let i = 0; i < 5; i++) await settle(senders[0]!.invoke('SendMessage', `a${i}`), 'send on a');
    for (let i = 0; i < 3; i++) await settle(senders[1]!.invoke('SendMessage', `b${i}`), 'send on b');
    const after = await Promise.all(
      ['a', 'b'].map(async (name) => (await diagnostics(instanceUrl(name))).invocations),
    );
    expect((after[0]!.SendMessage ?? 0) - (before[0]!.SendMessage ?? 0)).toBe(5);
    expect((after[1]!.SendMessage ?? 0) - (before[1]!.SendMessage ?? 0)).toBe(3);
  });
});
