// Presence on both servers, over every transport: connections are counted per user; a user's first connection
// announces userJoined to the others, the last one closing announces userLeft, and a new connection receives
// presence(users). Users have names no other test uses, so the shared servers' other users do not matter.

import { describe, expect, it } from 'vitest';

import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  chatConnections,
  inbox,
  settle,
  uniqueName,
  until,
  type ChatConnection,
  type Inbox,
} from '../support/clients.js';
import { describeEachChatServer } from '../support/targets.js';

const sorted = (users: readonly string[]) => [...users].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describeEachChatServer('chat hub: presence', (server) => {
  const create = chatConnections(server.url);

  for (const each of CLIENT_CASES.filter((c) => c.protocol === 'json')) {
    describe(caseTitle(each), () => {
      async function connect(name: string): Promise<{ hub: ChatConnection; box: Inbox }> {
        const hub = create(name, caseOptions(each));
        const box = inbox(hub);
        await settle(hub.start(), `${name} connected`);
        await until(() => box.presence.length === 1, `presence for ${name}`);
        return { hub, box };
      }

      /** Everything sent to `box` before now has arrived (a broadcast sent after it has). */
      async function fence(sender: ChatConnection, box: Inbox): Promise<void> {
        const text = uniqueName('fence');
        await settle(sender.invoke('SendMessage', text), 'the fence');
        await until(() => box.newMessage.some(([, t]) => t === text), 'the fence');
      }

      it('counts connections per user: joined on the first, left on the last, presence to each new one', async () => {
        const observerName = uniqueName('observer');
        const user = uniqueName('user');
        const observer = await connect(observerName);
        expect(observer.box.presence[0]).toContain(observerName);
        expect(observer.box.presence[0]).toEqual(sorted(observer.box.presence[0]!));

        const first = await connect(user);
        expect(first.box.presence[0]).toEqual(expect.arrayContaining([observerName, user]));
        expect(first.box.presence[0]).toEqual(sorted(first.box.presence[0]!));
        await until(() => observer.box.userJoined.includes(user), `userJoined(${user})`);
        // Not to the joining connection itself.
        await fence(first.hub, first.box);
        expect(first.box.userJoined).not.toContain(user);

        const second = await connect(user);
        expect(second.box.presence[0]).toEqual(expect.arrayContaining([observerName, user]));
        const online = await settle(observer.hub.invoke('OnlineUsers'), 'OnlineUsers');
        expect(online.filter((name) => name === user)).toEqual([user]);
        expect(online).toEqual(sorted(online));

        // One connection of two closes: still online, nothing announced.
        await first.hub.stop();
        await second.hub.stop();
        await until(() => observer.box.userLeft.includes(user), `userLeft(${user})`);
        await fence(observer.hub, observer.box);
        expect(observer.box.userJoined.filter((name) => name === user)).toEqual([user]);
        expect(observer.box.userLeft.filter((name) => name === user)).toEqual([user]);
        expect(await settle(observer.hub.invoke('OnlineUsers'), 'OnlineUsers')).not.toContain(user);
        // presence(users) went to each new connection only, once.
        expect(observer.box.presence).toHaveLength(1);
      });

      it('keeps a user online while another connection stays, and announces a return', async () => {
        const observer = await connect(uniqueName('observer'));
        const user = uniqueName('user');
        const older = await connect(user);
        const latest = await connect(user);
        await until(() => observer.box.userJoined.includes(user), `userJoined(${user})`);
        older.hub.handle('directMessage', () => true);
        await latest.hub.stop();
        // The server has handled the close once a direct message goes to the older connection (the latest is gone).
        for (let attempt = 0; ; attempt++) {
          const receipt = await settle(observer.hub.invoke('SendDirect', user, 'still there?'), 'SendDirect');
          if (receipt.read) break;
          if (attempt === 100) throw new Error('the server never noticed the latest connection had closed');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await fence(observer.hub, observer.box);
        expect(observer.box.userLeft).not.toContain(user);
        expect(await settle(observer.hub.invoke('OnlineUsers'), 'OnlineUsers')).toContain(user);

        await older.hub.stop();
        await until(() => observer.box.userLeft.includes(user), `userLeft(${user})`);
        const back = await connect(user);
        await until(
          () => observer.box.userJoined.filter((name) => name === user).length === 2,
          `userJoined(${user}) again`,
        );
        expect(back.box.presence[0]).toContain(user);
        expect(observer.box.userLeft.filter((name) => name === user)).toEqual([user]);
      });
    });
  }
});
