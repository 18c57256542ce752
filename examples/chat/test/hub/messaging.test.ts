// The chat hub's messages on both servers, over every transport × protocol of the hubrx client: SendMessage's
// broadcast with the caller's name, rooms as groups, the history stream, the long-message upload and the direct
// message's read receipt (a client result).
//
// "Did not receive" is proven without sleeping: a connection's messages arrive in order, so once a message sent to
// everyone after the one in question has arrived (a fence), the one in question would have arrived too.

import { from, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';

import { HISTORY_LENGTH, type RoomMessage } from '../../shared/contract.js';
import { SHARED_SERVER_OPTIONS } from '../support/options.js';
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

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describeEachChatServer('chat hub: messages', (server) => {
  const create = chatConnections(server.url);

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      async function user(
        name = uniqueName('u'),
      ): Promise<{ name: string; hub: ChatConnection; box: Inbox }> {
        const hub = create(name, caseOptions(each));
        const box = inbox(hub);
        await settle(hub.start(), `${name} connected`);
        return { name, hub, box };
      }

      /** Waits until `who` has received a broadcast sent after everything before (see the file's comment). */
      async function fence(sender: ChatConnection, ...who: Inbox[]): Promise<void> {
        const text = uniqueName('fence');
        await settle(sender.invoke('SendMessage', text), 'the fence');
        await until(() => who.every((box) => box.newMessage.some(([, t]) => t === text)), 'the fence');
      }

      it('SendMessage broadcasts newMessage(user, text) with the caller’s name to everyone', async () => {
        const a = await user();
        const b = await user();
        const text = `hello from ${a.name} ✓ 😀`;
        await settle(a.hub.invoke('SendMessage', text), 'SendMessage');
        await until(() => b.box.newMessage.length > 0 && a.box.newMessage.length > 0, 'newMessage');
        expect(a.box.newMessage).toContainEqual([a.name, text]);
        expect(b.box.newMessage).toContainEqual([a.name, text]);
      });

      it('keeps rooms apart: roomMessage reaches the room’s members only, and leaving stops it', async () => {
        const a = await user();
        const b = await user();
        expect(await settle(a.hub.invoke('Rooms'), 'Rooms')).toEqual(['general', 'random', 'dotnet']);
        await settle(a.hub.invoke('JoinRoom', 'random'), 'JoinRoom');
        await settle(a.hub.invoke('JoinRoom', 'random'), 'JoinRoom again (idempotent)');
        await settle(b.hub.invoke('JoinRoom', 'dotnet'), 'JoinRoom');

        const sent = await settle(a.hub.invoke('SendToRoom', 'random', 'in random'), 'SendToRoom');
        expect(sent).toEqual({
          id: expect.any(String),
          room: 'random',
          user: a.name,
          text: 'in random',
          sentAt: expect.stringMatching(ISO_UTC),
        });
        expect(Math.abs(Date.parse(sent.sentAt) - Date.now())).toBeLessThan(10_000);
        const other = await settle(b.hub.invoke('SendToRoom', 'dotnet', 'in dotnet'), 'SendToRoom');
        expect(other.id).not.toBe(sent.id);

        await fence(a.hub, a.box, b.box);
        expect(a.box.roomMessage).toEqual([sent]);
        expect(b.box.roomMessage).toEqual([other]);

        await settle(a.hub.invoke('LeaveRoom', 'random'), 'LeaveRoom');
        await settle(b.hub.invoke('JoinRoom', 'random'), 'JoinRoom');
        const after = await settle(b.hub.invoke('SendToRoom', 'random', 'after a left'), 'SendToRoom');
        await fence(a.hub, a.box, b.box);
        expect(a.box.roomMessage).toEqual([sent]);
        expect(b.box.roomMessage).toEqual([other, after]);
      });

      it('streams a room’s history, oldest first, at most HISTORY_LENGTH messages', async () => {
        const a = await user();
        await settle(a.hub.invoke('JoinRoom', 'general'), 'JoinRoom');
        const sent: RoomMessage[] = [];
        for (let i = 0; i < HISTORY_LENGTH + 5; i++) {
          sent.push(await settle(a.hub.invoke('SendToRoom', 'general', `history ${i}`), 'SendToRoom'));
        }
        // Anyone may read it, without joining.
        const b = await user();
        const history: RoomMessage[] = [];
        await settle(
          new Promise<void>((resolve, reject) =>
            b.hub.stream('RoomHistory', 'general').subscribe({
              next: (message) => history.push(message),
              error: reject,
              complete: resolve,
            }),
          ),
          'RoomHistory',
        );
        expect(history).toEqual(sent.slice(-HISTORY_LENGTH));
      });

      it('SendLongMessage assembles an uploaded text into one room message', async () => {
        const a = await user();
        const b = await user();
        await settle(a.hub.invoke('JoinRoom', 'dotnet'), 'JoinRoom');
        await settle(b.hub.invoke('JoinRoom', 'dotnet'), 'JoinRoom');
        // 60 000 characters in 20 chunks of 3 000 (each chunk a message well under 32 KB).
        const chunks = Array.from({ length: 20 }, (_, i) => String.fromCharCode(97 + i).repeat(3000));
        const message = await settle(
          a.hub.invoke('SendLongMessage', 'dotnet', from(chunks)),
          'SendLongMessage',
          15_000,
        );
        expect(message).toMatchObject({ room: 'dotnet', user: a.name, text: chunks.join('') });
        await until(() => b.box.roomMessage.length === 1, 'the long roomMessage');
        expect(b.box.roomMessage).toEqual([message]);
        // An async generator uploads as well; a null chunk adds nothing.
        async function* lines() {
          yield 'first line\n';
          await Promise.resolve();
          yield null as unknown as string;
          yield 'second line';
        }
        const second = await settle(a.hub.invoke('SendLongMessage', 'dotnet', lines()), 'SendLongMessage');
        expect(second.text).toBe('first line\nsecond line');
      });

      describe('SendDirect: a read receipt from the recipient’s client', () => {
        it('is read: true when the recipient’s handler answers true', async () => {
          const a = await user();
          const b = await user();
          const seen: [string, string][] = [];
          b.hub.handle('directMessage', (from, text) => {
            seen.push([from, text]);
            return true;
          });
          const receipt = await settle(a.hub.invoke('SendDirect', b.name, 'psst'), 'SendDirect');
          expect(seen).toEqual([[a.name, 'psst']]);
          expect(receipt).toEqual({ to: b.name, read: true, at: expect.stringMatching(ISO_UTC) });
        });

        it('asks the recipient’s latest connection', async () => {
          const a = await user();
          const name = uniqueName('b');
          const older = await user(name);
          const latest = await user(name);
          const asked: string[] = [];
          older.hub.handle('directMessage', () => (asked.push('older'), true));
          latest.hub.handle('directMessage', () => (asked.push('latest'), true));
          expect(await settle(a.hub.invoke('SendDirect', name, 'hi'), 'SendDirect')).toMatchObject({
            read: true,
          });
          expect(asked).toEqual(['latest']);
        });

        it('reaches the sender’s own latest connection too (a note to self)', async () => {
          const a = await user();
          a.hub.handle('directMessage', (from, text) => from === a.name && text === 'note to self');
          expect(
            await settle(a.hub.invoke('SendDirect', a.name, 'note to self'), 'SendDirect'),
          ).toMatchObject({
            to: a.name,
            read: true,
          });
        });

        it('is read: false when the handler answers false, or an async false', async () => {
          const a = await user();
          const b = await user();
          b.hub.handle('directMessage', () => Promise.resolve(false));
          expect(await settle(a.hub.invoke('SendDirect', b.name, 'x'), 'SendDirect')).toMatchObject({
            to: b.name,
            read: false,
          });
        });

        it('is read: false at once when the recipient has no handler', async () => {
          const a = await user();
          const b = await user();
          const started = Date.now();
          expect(await settle(a.hub.invoke('SendDirect', b.name, 'x'), 'SendDirect')).toMatchObject({
            read: false,
          });
          expect(Date.now() - started).toBeLessThan(SHARED_SERVER_OPTIONS.receiptTimeoutMs);
        });

        it('is read: false when the handler throws', async () => {
          const a = await user();
          const b = await user();
          b.hub.handle('directMessage', () => {
            throw new Error('not now');
          });
          expect(await settle(a.hub.invoke('SendDirect', b.name, 'x'), 'SendDirect')).toMatchObject({
            read: false,
          });
        });

        it('is read: false after the receipt timeout when the recipient does not answer, and the caller goes on meanwhile', async () => {
          const a = await user();
          const b = await user();
          b.hub.handle('directMessage', () => new Observable<boolean>(() => undefined));
          const started = Date.now();
          let answered = false;
          const receipt = settle(a.hub.invoke('SendDirect', b.name, 'x'), 'SendDirect').finally(
            () => (answered = true),
          );
          // Other calls of the sender are not held back by the pending receipt: this one completes first.
          await settle(a.hub.invoke('SendMessage', 'while waiting'), 'SendMessage while waiting');
          expect(answered).toBe(false);
          expect(await receipt).toMatchObject({ to: b.name, read: false });
          const waited = Date.now() - started;
          expect(waited).toBeGreaterThanOrEqual(SHARED_SERVER_OPTIONS.receiptTimeoutMs - 50);
          expect(waited).toBeLessThan(SHARED_SERVER_OPTIONS.receiptTimeoutMs + 3000);
        });
      });
    });
  }
});
