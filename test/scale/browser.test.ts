// The same in Chromium, through the sticky balancer (the page itself is served through it, by every instance): the
// browser's own cookies keep negotiate and the connection on one instance for every transport and protocol (by the
// instances' account); pages on different instances receive each other's broadcasts, room messages and direct
// messages; and when an instance is killed, a page on it reconnects elsewhere and rejoins its room (the chat app's
// onConnectionLost, with core's outbox), which its state observable shows.

import type { HubConnection, TransportName } from '@hubrx/core';
import type { BrowserContext, Page } from 'playwright-core';
import { expect, it, onTestFinished } from 'vitest';

import { describeChromium } from '../browser/support/chromium.js';
import { COMBINATIONS, type ProtocolChoice } from '../browser/support/scenario.js';
import { chatConnections, settle, signToken } from '../../examples/chat/test/support/clients.js';
import { STICKY_COOKIE } from '../support/balancer.js';
import { chromiumPages, type PageWindow } from './support/browser.js';
import {
  describeScale,
  instanceOf,
  killInstance,
  scale,
  servedWhere,
  startInstance,
  user,
} from './support/clients.js';

/** The page's globals (test/browser declares `window.hubrx` as its own page's: this page's are cast to these). */
interface ScaleWindow extends PageWindow {
  chat: HubConnection;
  seen: { newMessage: string[]; roomMessage: string[]; direct: string[]; states: string[] };
}

interface PageArgs {
  readonly token: string;
  readonly transport: TransportName;
  readonly protocol: ProtocolChoice;
  readonly rejoin: boolean;
}

/** In the page: the chat connection (`/hubs/chat` on the page's origin), recording what it receives; starts it. */
async function connectPage(page: Page, args: PageArgs): Promise<string> {
  return page.evaluate(async ({ token, transport, protocol, rejoin }) => {
    const w = window as unknown as ScaleWindow;
    const { hubrx } = w;
    const chat = hubrx.createHubConnection({
      url: '/hubs/chat',
      transports: [transport],
      protocol: protocol === 'messagepack' ? hubrx.messagePackHubProtocol() : hubrx.jsonHubProtocol(),
      accessTokenFactory: () => token,
      outbox: hubrx.outbox(),
      reconnect: hubrx.exponentialBackoff({ initialMs: 200, maxMs: 1000 }),
    });
    const seen = {
      newMessage: [] as string[],
      roomMessage: [] as string[],
      direct: [] as string[],
      states: [] as string[],
    };
    chat.on('newMessage').subscribe(([, text]) => seen.newMessage.push(String(text)));
    chat
      .on('roomMessage')
      .subscribe(([message]) => seen.roomMessage.push(String((message as { text: string }).text)));
    chat.handle('directMessage', (_from, text) => (seen.direct.push(String(text)), true));
    chat.state$.subscribe((state) => seen.states.push(`${state.status}:${state.connectionId ?? ''}`));
    // As the chat app rejoins its rooms (a HubCall is cold: `.catch()` sends it).
    if (rejoin) {
      hubrx.onConnectionLost(chat, () => {
        void chat.invoke('JoinRoom', 'general').catch(() => undefined);
      });
    }
    w.chat = chat;
    w.seen = seen;
    await chat.start();
    return chat.state.connectionId!;
  }, args);
}

const call = (page: Page, method: string, ...args: unknown[]) =>
  page.evaluate(
    ([m, a]) => (window as unknown as ScaleWindow).chat.invoke(m as 'JoinRoom', ...(a as [string])),
    [method, args] as const,
  );

describeScale('through the sticky load balancer (Chromium)', () => {
  describeChromium('pages', () => {
    const pages = chromiumPages();

    /** A page in a fresh context (its own cookies), optionally pinned to an instance by its sticky cookie. */
    const open = (pinned?: string): Promise<{ context: BrowserContext; page: Page }> =>
      pages.open(scale().stickyUrl, {
        cookies: pinned === undefined ? [] : [{ name: STICKY_COOKIE, value: pinned, url: scale().stickyUrl }],
      });

    const stickyOf = async (context: BrowserContext) =>
      (await context.cookies(scale().stickyUrl)).find((c) => c.name === STICKY_COOKIE)?.value;

    for (const { transport, protocol } of COMBINATIONS) {
      it(`negotiate and the connection stay on the cookie's instance; pages on two instances reach each other (${protocol} over ${transport})`, async () => {
        const alice = user('alice');
        const bob = user('bob');
        // Alice's page gets its instance from the balancer (its first request, the page itself).
        const first = await open();
        const aliceInstance = await stickyOf(first.context);
        expect(['a', 'b', 'c']).toContain(aliceInstance);
        const other = ['a', 'b', 'c'].find((name) => name !== aliceInstance)!;
        const second = await open(other);
        const aliceId = await connectPage(first.page, {
          token: signToken(alice),
          transport,
          protocol,
          rejoin: false,
        });
        const bobId = await connectPage(second.page, {
          token: signToken(bob),
          transport,
          protocol,
          rejoin: false,
        });

        // Cross-instance: a broadcast, a room message, a direct message with its read receipt.
        await call(first.page, 'SendMessage', 'hello bob');
        await call(first.page, 'JoinRoom', 'general');
        await call(second.page, 'JoinRoom', 'general');
        await call(first.page, 'SendToRoom', 'general', 'room hello');
        const receipt = await call(first.page, 'SendDirect', bob, 'psst');
        expect(receipt).toMatchObject({ to: bob, read: true });
        await second.page.waitForFunction(
          () =>
            (window as unknown as ScaleWindow).seen.newMessage.includes('hello bob') &&
            (window as unknown as ScaleWindow).seen.roomMessage.includes('room hello'),
          undefined,
          { polling: 20, timeout: 10_000 },
        );
        expect(await second.page.evaluate(() => (window as unknown as ScaleWindow).seen.direct)).toEqual([
          'psst',
        ]);

        // The instances' account: each page's negotiate and every request of its connection on its cookie's instance.
        for (const [id, instance] of [
          [aliceId, aliceInstance!],
          [bobId, other],
        ] as const) {
          expect(await instanceOf(id)).toBe(instance);
          const where = await servedWhere(id);
          for (const [name, served] of Object.entries(where)) {
            if (name !== instance) expect(served.requests).toEqual([]);
            else {
              expect(served.requests[0]?.kind).toBe('negotiate');
              for (const request of served.requests)
                expect(request.status === null || request.status < 400).toBe(true);
            }
          }
        }
        expect(await stickyOf(first.context)).toBe(aliceInstance);
        await first.context.close();
        await second.context.close();
      });
    }

    it('a page on a killed instance reconnects elsewhere and rejoins its room (the state observable shows it)', async () => {
      const { page, context } = await open('b');
      const id = await connectPage(page, {
        token: signToken(user('page')),
        transport: 'webSockets',
        protocol: 'json',
        rejoin: true,
      });
      await call(page, 'JoinRoom', 'general');
      expect(await instanceOf(id)).toBe('b');
      const sender = chatConnections(scale().instances[0]!.url)(user('sender'));
      await settle(sender.start(), 'sender');
      await settle(sender.invoke('JoinRoom', 'general'), 'join');
      await settle(sender.invoke('SendToRoom', 'general', 'before'), 'send');
      await page.waitForFunction(
        () => (window as unknown as ScaleWindow).seen.roomMessage.includes('before'),
        undefined,
        { polling: 20 },
      );

      // Back for the next test even if this one fails.
      onTestFinished(() => startInstance('b'));
      await killInstance('b');
      await page.waitForFunction(
        () =>
          (window as unknown as ScaleWindow).chat.state.status === 'connected' &&
          (window as unknown as ScaleWindow).seen.states.some((s) => s.startsWith('reconnecting')),
        undefined,
        {
          polling: 50,
          timeout: 20_000,
        },
      );
      const newId = await page.evaluate(() => (window as unknown as ScaleWindow).chat.state.connectionId!);
      expect(newId).not.toBe(id);
      const now = await instanceOf(newId);
      expect(['a', 'c']).toContain(now);
      expect((await context.cookies(scale().stickyUrl)).find((c) => c.name === STICKY_COOKIE)?.value).toBe(
        now,
      );
      // Rejoined: a room message sent now reaches the page on its new instance.
      for (let i = 0; i < 50; i++) {
        await settle(sender.invoke('SendToRoom', 'general', `after ${i}`), 'send');
        if (
          await page.evaluate(
            (n) => (window as unknown as ScaleWindow).seen.roomMessage.includes(`after ${n}`),
            i,
          )
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(
        await page.evaluate(() =>
          (window as unknown as ScaleWindow).seen.roomMessage.some((text) => text.startsWith('after ')),
        ),
      ).toBe(true);
      // The new instance ran the page's JoinRoom (a HubCall is cold: the rejoin's `.catch()` sends it).
      expect((await servedWhere(newId))[now!]?.connection?.invocations).toBe(1);
      const states = await page.evaluate(() =>
        (window as unknown as ScaleWindow).seen.states.map((s) => s.split(':')[0]),
      );
      expect(states.slice(states.indexOf('reconnecting'))).toContain('connected');
      await startInstance('b');
    });
  });
});
