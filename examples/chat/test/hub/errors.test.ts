// Bad input on both servers: every HubException text, word for word the same (the servers run with detailed errors
// off, so only HubException messages reach clients), binding errors, and the connection going on after each.

import type { HubConnection } from '@hubrx/core';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';

import { MAX_LONG_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from '../../shared/contract.js';
import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  chatConnections,
  failure,
  hubError,
  settle,
  uniqueName,
  type ChatConnection,
} from '../support/clients.js';
import { describeEachChatServer } from '../support/targets.js';

const EMPTY = 'Message text is empty.';
const TOO_LONG = `Message text is longer than ${MAX_MESSAGE_LENGTH} characters.`;
const LONG_TOO_LONG = `Message text is longer than ${MAX_LONG_MESSAGE_LENGTH} characters.`;
const BINDING = (method: string) => `Failed to invoke '${method}' due to an error on the server.`;

// JSON over WebSockets, and MessagePack over Long Polling.
const CASES = CLIENT_CASES.filter(
  (c) =>
    (c.protocol === 'json' && c.transport === 'webSockets') ||
    (c.protocol === 'messagepack' && c.transport === 'longPolling'),
);

describeEachChatServer('chat hub: bad input', (server) => {
  const create = chatConnections(server.url);

  for (const each of CASES) {
    describe(caseTitle(each), () => {
      async function connect(name = uniqueName('u')): Promise<ChatConnection> {
        const hub = create(name, caseOptions(each));
        await settle(hub.start(), `${name} connected`);
        return hub;
      }

      /** The error text of a call made with any arguments (typed calls cannot send bad ones). */
      async function errorOf(hub: ChatConnection, method: string, ...args: unknown[]): Promise<string> {
        const untyped = hub as unknown as HubConnection;
        return (await failure(untyped.invoke(method, ...args), method)).message;
      }

      /** The connection is still connected and its calls work. */
      async function stillWorks(hub: ChatConnection): Promise<void> {
        expect(hub.state.status).toBe('connected');
        expect(await settle(hub.invoke('Rooms'), 'Rooms')).toHaveLength(3);
      }

      it.each([
        ['an empty text', ''],
        ['a blank text', ' \t\r\n\u00a0\u2003\u0085'],
        ['null', null],
      ])('SendMessage refuses %s', async (_, text) => {
        const hub = await connect();
        expect(await errorOf(hub, 'SendMessage', text)).toBe(hubError('SendMessage', EMPTY));
        await stillWorks(hub);
      });

      it('SendMessage takes MAX_MESSAGE_LENGTH characters and refuses one more', async () => {
        const hub = await connect();
        await settle(hub.invoke('SendMessage', 'x'.repeat(MAX_MESSAGE_LENGTH)), 'SendMessage');
        // UTF-16 code units: an emoji counts two.
        await settle(hub.invoke('SendMessage', '😀'.repeat(MAX_MESSAGE_LENGTH / 2)), 'SendMessage');
        expect(await errorOf(hub, 'SendMessage', 'x'.repeat(MAX_MESSAGE_LENGTH + 1))).toBe(
          hubError('SendMessage', TOO_LONG),
        );
        expect(await errorOf(hub, 'SendMessage', `${'😀'.repeat(MAX_MESSAGE_LENGTH / 2)}x`)).toBe(
          hubError('SendMessage', TOO_LONG),
        );
        // U+FEFF is not white space (for .NET): a message.
        await settle(hub.invoke('SendMessage', '\ufeff'), 'SendMessage');
        await stillWorks(hub);
      });

      it('refuses unknown rooms in every room method, quoting at most 64 characters of the name', async () => {
        const hub = await connect();
        const long = 'r'.repeat(100);
        for (const [room, quoted] of [
          ['nope', 'nope'],
          ['General', 'General'],
          ['', ''],
          [null, ''],
          [long, `${'r'.repeat(64)}…`],
        ] as const) {
          const message = `Unknown room '${quoted}'.`;
          expect(await errorOf(hub, 'JoinRoom', room)).toBe(hubError('JoinRoom', message));
          expect(await errorOf(hub, 'LeaveRoom', room)).toBe(hubError('LeaveRoom', message));
          expect(await errorOf(hub, 'SendToRoom', room, 'hi')).toBe(hubError('SendToRoom', message));
          expect(await errorOf(hub, 'SendLongMessage', room, from(['hi']))).toBe(
            hubError('SendLongMessage', message),
          );
          // A stream: refused when called, with the invocation's error text.
          const untyped = hub as unknown as HubConnection;
          const streamError = await settle(
            new Promise<Error>((resolve, reject) =>
              untyped.stream('RoomHistory', room).subscribe({
                error: resolve,
                complete: () => reject(new Error('RoomHistory completed')),
              }),
            ),
            'RoomHistory',
          );
          expect(streamError.message).toBe(hubError('RoomHistory', message));
        }
        await stillWorks(hub);
      });

      it('refuses sending to a room not joined (or left), and bad texts in a joined one', async () => {
        const hub = await connect();
        const notJoined = "Join the room 'random' before sending to it.";
        expect(await errorOf(hub, 'SendToRoom', 'random', 'hi')).toBe(hubError('SendToRoom', notJoined));
        expect(await errorOf(hub, 'SendLongMessage', 'random', from(['hi']))).toBe(
          hubError('SendLongMessage', notJoined),
        );
        // Leaving a room not joined is fine (idempotent).
        await settle(hub.invoke('LeaveRoom', 'random'), 'LeaveRoom');
        await settle(hub.invoke('JoinRoom', 'random'), 'JoinRoom');
        // The room is checked before the text.
        expect(await errorOf(hub, 'SendToRoom', 'general', '')).toBe(
          hubError('SendToRoom', "Join the room 'general' before sending to it."),
        );
        expect(await errorOf(hub, 'SendToRoom', 'random', '  ')).toBe(hubError('SendToRoom', EMPTY));
        expect(await errorOf(hub, 'SendToRoom', 'random', 'x'.repeat(MAX_MESSAGE_LENGTH + 1))).toBe(
          hubError('SendToRoom', TOO_LONG),
        );
        await settle(hub.invoke('LeaveRoom', 'random'), 'LeaveRoom');
        expect(await errorOf(hub, 'SendToRoom', 'random', 'hi')).toBe(hubError('SendToRoom', notJoined));
        await stillWorks(hub);
      });

      it('SendLongMessage takes MAX_LONG_MESSAGE_LENGTH characters, refuses one more and blank texts', async () => {
        const hub = await connect();
        await settle(hub.invoke('JoinRoom', 'random'), 'JoinRoom');
        const chunk = 'y'.repeat(10_000);
        const full = Array.from({ length: MAX_LONG_MESSAGE_LENGTH / chunk.length }, () => chunk);
        const message = await settle(
          hub.invoke('SendLongMessage', 'random', from(full)),
          'SendLongMessage',
          20_000,
        );
        expect(message.text).toHaveLength(MAX_LONG_MESSAGE_LENGTH);
        expect(await errorOf(hub, 'SendLongMessage', 'random', from([...full, 'z']))).toBe(
          hubError('SendLongMessage', LONG_TOO_LONG),
        );
        expect(await errorOf(hub, 'SendLongMessage', 'random', from([' ', '\n', '']))).toBe(
          hubError('SendLongMessage', EMPTY),
        );
        expect(await errorOf(hub, 'SendLongMessage', 'random', from([]))).toBe(
          hubError('SendLongMessage', EMPTY),
        );
        await stillWorks(hub);
      });

      it('SendDirect refuses unknown and offline users, then bad texts', async () => {
        const hub = await connect();
        const other = uniqueName('other');
        await connect(other);
        // carol, a demo user, is offline here (no suite of this project keeps her connected).
        let online = await settle(hub.invoke('OnlineUsers'), 'OnlineUsers');
        for (let attempt = 0; online.includes('carol') && attempt < 100; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          online = await settle(hub.invoke('OnlineUsers'), 'OnlineUsers');
        }
        expect(await errorOf(hub, 'SendDirect', 'carol', 'hi')).toBe(
          hubError('SendDirect', "User 'carol' is not online."),
        );
        expect(await errorOf(hub, 'SendDirect', 'nobody', 'hi')).toBe(
          hubError('SendDirect', "Unknown user 'nobody'."),
        );
        expect(await errorOf(hub, 'SendDirect', null, 'hi')).toBe(hubError('SendDirect', "Unknown user ''."));
        // The recipient is checked before the text.
        expect(await errorOf(hub, 'SendDirect', 'nobody', '')).toBe(
          hubError('SendDirect', "Unknown user 'nobody'."),
        );
        expect(await errorOf(hub, 'SendDirect', other, '')).toBe(hubError('SendDirect', EMPTY));
        expect(await errorOf(hub, 'SendDirect', other, 'x'.repeat(MAX_MESSAGE_LENGTH + 1))).toBe(
          hubError('SendDirect', TOO_LONG),
        );
        await stillWorks(hub);
      });

      it('answers arguments that do not bind, and unknown methods, with ASP.NET Core’s texts', async () => {
        const hub = await connect();
        expect(await errorOf(hub, 'SendMessage', 42)).toBe(BINDING('SendMessage'));
        expect(await errorOf(hub, 'SendMessage', { text: 'hi' })).toBe(BINDING('SendMessage'));
        expect(await errorOf(hub, 'SendMessage')).toBe(BINDING('SendMessage'));
        expect(await errorOf(hub, 'SendMessage', 'a', 'b')).toBe(BINDING('SendMessage'));
        expect(await errorOf(hub, 'JoinRoom', ['general'])).toBe(BINDING('JoinRoom'));
        expect(await errorOf(hub, 'SendDirect', 'bob')).toBe(BINDING('SendDirect'));
        expect(await errorOf(hub, 'Nope')).toBe(
          "Failed to invoke 'Nope' due to an error on the server. HubException: Method does not exist.",
        );
        await stillWorks(hub);
      });
    });
  }
});
