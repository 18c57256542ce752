// Outages and tokens, in Chromium: the chat server killed and started again on the same port while two users are in
// a room (the banner counts attempts down, the pages recover by themselves, what was typed meanwhile is delivered
// once), and access tokens that expire during the session. Every front-end on the mock server and on ASP.NET Core (a
// real process killed, and JwtBearer's own expiry check).

import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  bannerText,
  closePages,
  connectBrowser,
  describeEach,
  FRONT_ENDS,
  lines,
  openAs,
  openChannel,
  say,
  serverHistory,
  serverKinds,
  shownError,
  startServer,
  status,
  texts,
  type ServerKind,
} from './support/harness.js';

const poll = { timeout: 20_000 };

for (const app of FRONT_ENDS) {
  describeEach(`the ${app} chat through outages`, serverKinds(), (kind: ServerKind) => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await connectBrowser();
    });
    afterEach(closePages);
    afterAll(() => browser?.close());

    it('server killed and restarted: the banner counts down, the page recovers by itself, a message typed meanwhile is delivered once', async () => {
      const server = await startServer(kind);
      try {
        const [alice, bob] = await Promise.all([
          openAs(browser, server, app, 'alice'),
          openAs(browser, server, app, 'bob'),
        ]);
        for (const { page } of [alice, bob]) await openChannel(page, 'general');
        await say(alice.page, 'before the outage');
        await expect.poll(() => texts(bob.page), poll).toEqual(['before the outage']);

        await server.kill();
        // Reconnecting: the attempt, the wait counted down, and why.
        await expect.poll(() => status(alice.page), poll).toBe('reconnecting');
        await expect
          .poll(() => bannerText(alice.page), poll)
          .toMatch(/Reconnecting: attempt \d+, next retry in \d+ s/);
        expect(await alice.page.locator('.status .why').innerText()).not.toBe('');
        await expect.poll(() => alice.page.getByTestId('reconnect-now').count(), poll).toBe(1);

        // Typed during the outage: it waits for the connection (core's outbox).
        await say(alice.page, 'typed during the outage');
        await expect
          .poll(() => alice.page.locator('.composer-note').innerText())
          .toMatch(/1 waiting for the connection/);

        await server.restart();
        // By itself: no click, no reload.
        for (const { page } of [alice, bob]) await expect.poll(() => status(page), poll).toBe('connected');
        await expect
          .poll(() => texts(alice.page), poll)
          .toEqual(['before the outage', 'typed during the outage']);
        // Bob, rejoined too, gets it from the room (live, or in the history streamed again): once.
        await expect.poll(() => lines(bob.page), poll).toContain('alice: typed during the outage');
        expect(await texts(bob.page)).toEqual(['before the outage', 'typed during the outage']);
        // The restarted server received it once (its history began empty).
        const held = await serverHistory(server.url, 'general');
        expect(held.map((message) => `${message.user}: ${message.text}`)).toEqual([
          'alice: typed during the outage',
        ]);
        if (server.mock !== undefined) {
          const sends = server.mock.log.filter(
            (entry) =>
              entry.direction === 'received' &&
              entry.message.type === 1 &&
              entry.message.target === 'SendToRoom' &&
              entry.message.arguments[1] === 'typed during the outage',
          );
          expect(sends).toHaveLength(1);
        }

        // And the chat goes on.
        await say(bob.page, 'back');
        await expect.poll(() => texts(alice.page), poll).toContain('back');
        for (const page of [alice.page, bob.page]) expect(await shownError(page)).toBeNull();
        expect([...alice.problems, ...bob.problems]).toEqual([]);
      } finally {
        await closePages();
        await server.stop();
      }
    });

    // On the mock server only: what is tested is the page's button, not the server.
    if (kind === 'mock')
      it('"Reconnect now" ends the wait between attempts at once', async () => {
        const server = await startServer(kind);
        try {
          const alice = await openAs(browser, server, app, 'alice');
          await server.kill();
          // A wait of 4 s or more (the policy's delays are random, growing with the attempts).
          const waiting = async () =>
            Number(/next retry in (\d+) s/.exec(await bannerText(alice.page))?.[1] ?? 0);
          await expect.poll(waiting, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(4);
          await server.restart();
          await alice.page.getByTestId('reconnect-now').click();
          await expect.poll(() => status(alice.page), { timeout: 1500, interval: 50 }).toBe('connected');
          expect(alice.problems).toEqual([]);
        } finally {
          await closePages();
          await server.stop();
        }
      });

    it('a token that expires during the session is replaced without a visible error', async () => {
      const server = await startServer(kind, { tokenLifetimeSeconds: 3 });
      try {
        const alice = await openAs(browser, server, app, 'alice');
        const tokens: number[] = [];
        const refused: string[] = [];
        alice.page.on('request', (request) => {
          if (request.method() === 'GET' && new URL(request.url()).pathname === '/api/token')
            tokens.push(Date.now());
        });
        alice.page.on('response', (response) => {
          if (response.status() === 401) refused.push(response.url());
        });
        await say(alice.page, 'with my first token');
        await expect.poll(() => texts(alice.page), poll).toEqual(['with my first token']);
        // The token expires; then the connection is made again (the server restarted), which needs a valid one.
        await new Promise((resolve) => setTimeout(resolve, 3200));
        await server.kill();
        await expect.poll(() => status(alice.page), poll).toBe('reconnecting');
        await server.restart();
        await expect.poll(() => status(alice.page), poll).toBe('connected');
        expect(tokens.length).toBeGreaterThanOrEqual(1);
        expect(refused).toEqual([]);
        await say(alice.page, 'with a new token');
        await expect.poll(() => texts(alice.page), poll).toEqual(['with my first token', 'with a new token']);
        expect(await shownError(alice.page)).toBeNull();
        expect(alice.problems).toEqual([]);
      } finally {
        await closePages();
        await server.stop();
      }
    });
  });
}
