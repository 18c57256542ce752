// The hubrx client with several connections at once, on every target, over every transport × protocol pair: groups,
// Broadcast, SendToOthers, and users (tokens for named users, SendToUser, GetUserIdentifier).
//
// "Did not receive" is proven without sleeping: the server writes a method's messages before the method's
// completion, and a connection's messages arrive in order. So once a caller's invocation has completed, anything it
// sent to the caller itself has arrived; for another connection, a message the server sends it afterwards (a
// `Message` from its own InvokeWithString) arrives after anything sent to it before.

import type { HubConnection } from '@hubrx/core';
import { describe, expect, it } from 'vitest';

import { fetchToken, uniqueName } from '../support/functional-helpers.js';
import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  next,
  settle,
  trackedConnections,
} from '../support/client-helpers.js';
import { describeEachTarget } from '../support/targets.js';

/** A started connection and every call of the client methods the group methods use, as they arrive. */
interface Member {
  readonly hub: HubConnection;
  readonly received: { method: string; args: unknown[] }[];
  /** The messages of one method. */
  of(method: string): unknown[][];
  /** Waits until every message the server sent this connection so far has arrived. */
  fence(): Promise<void>;
}

const METHODS = ['GroupMessage', 'Broadcast', 'OthersMessage', 'UserMessage'] as const;

describeEachTarget('hubrx client: groups and users', (server) => {
  const create = trackedConnections();

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      async function member(user?: string): Promise<Member> {
        const token = user === undefined ? undefined : await fetchToken(server.url, user);
        const hub = create(`${server.url}/testhub`, {
          ...caseOptions(each),
          ...(token !== undefined && { accessTokenFactory: () => token }),
        });
        const received: { method: string; args: unknown[] }[] = [];
        for (const method of METHODS) {
          hub.on(method).subscribe((args) => received.push({ method, args: [...args] }));
        }
        await settle(hub.start(), 'start');
        const fenceText = uniqueName('fence');
        return {
          hub,
          received,
          of: (method) => received.filter((entry) => entry.method === method).map((entry) => entry.args),
          fence: async () => {
            const echoed = next(hub.on('Message'), 'the fence', ([text]) => text === fenceText);
            await settle(hub.invoke('InvokeWithString', fenceText), 'InvokeWithString');
            await echoed;
          },
        };
      }

      /** Waits until `who` has received `count` messages of `method`. */
      async function receive(who: Member, method: string, count: number): Promise<unknown[][]> {
        if (who.of(method).length < count) {
          await next(who.hub.on(method), `${method} #${count}`, () => who.of(method).length >= count);
        }
        return who.of(method);
      }

      /** Waits until `who` has received `method(text)` (at once if it already has). */
      async function arrival(who: Member, method: string, text: string): Promise<void> {
        const arrived = () => who.of(method).some(([message]) => message === text);
        if (!arrived()) await next(who.hub.on(method), `${method}(${text})`, arrived);
        expect(arrived()).toBe(true);
      }

      it('JoinGroup / SendToGroup / LeaveGroup: members receive GroupMessage, others and leavers do not', async () => {
        const group = uniqueName('group');
        const [a, b, outsider] = await Promise.all([member(), member(), member()]);
        await settle(a.hub.invoke('JoinGroup', group), 'JoinGroup');
        await settle(b.hub.invoke('JoinGroup', group), 'JoinGroup');

        await settle(outsider.hub.invoke('SendToGroup', group, 'first'), 'SendToGroup');
        expect(await receive(a, 'GroupMessage', 1)).toEqual([[group, 'first']]);
        expect(await receive(b, 'GroupMessage', 1)).toEqual([[group, 'first']]);
        expect(outsider.of('GroupMessage')).toEqual([]);

        await settle(b.hub.invoke('LeaveGroup', group), 'LeaveGroup');
        await settle(a.hub.invoke('SendToGroup', group, 'second'), 'SendToGroup');
        // a is a member and the caller: its message precedes the completion.
        expect(a.of('GroupMessage')).toEqual([
          [group, 'first'],
          [group, 'second'],
        ]);
        await b.fence();
        expect(b.of('GroupMessage')).toEqual([[group, 'first']]);
      });

      it('Broadcast reaches every connection, the caller included', async () => {
        const text = uniqueName('broadcast');
        const members = await Promise.all([member(), member(), member()]);
        await settle(members[0].hub.invoke('Broadcast', text), 'Broadcast');
        // Other suites broadcast too: look for this text.
        for (const each of members) await arrival(each, 'Broadcast', text);
      });

      it('SendToOthers reaches every connection but the caller', async () => {
        const text = uniqueName('others');
        const [caller, b, c] = await Promise.all([member(), member(), member()]);
        await settle(caller.hub.invoke('SendToOthers', text), 'SendToOthers');
        for (const other of [b, c]) await arrival(other, 'OthersMessage', text);
        expect(caller.of('OthersMessage').filter(([message]) => message === text)).toEqual([]);
      });

      it('SendToUser reaches every connection of that user (ordinal match), GetUserIdentifier names it', async () => {
        const user = uniqueName('user');
        const [first, second, sender] = await Promise.all([
          member(user),
          member(user),
          member(uniqueName('other')),
        ]);
        expect(await settle(first.hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(user);
        expect(await settle(second.hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(user);

        await settle(sender.hub.invoke('SendToUser', user, 'hello'), 'SendToUser');
        expect(await receive(first, 'UserMessage', 1)).toEqual([['hello']]);
        expect(await receive(second, 'UserMessage', 1)).toEqual([['hello']]);
        expect(sender.of('UserMessage')).toEqual([]);

        // User ids are compared ordinally: another casing is another user.
        await settle(sender.hub.invoke('SendToUser', user.toUpperCase(), 'shouted'), 'SendToUser');
        await first.fence();
        expect(first.of('UserMessage')).toEqual([['hello']]);
      });

      it('SendToUser to a user without connections reaches nobody; a connection without a token has no user', async () => {
        const anonymous = await member();
        expect(await settle(anonymous.hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBeNull();
        await settle(anonymous.hub.invoke('SendToUser', uniqueName('nobody'), 'lost'), 'SendToUser');
        expect(anonymous.of('UserMessage')).toEqual([]);
      });
    });
  }
});
