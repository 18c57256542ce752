// The chat as people use it, in Chromium: each front-end (React, Vue, Angular) against the mock server's chat preset
// and the ASP.NET Core chat server. Two browser contexts are two users.

import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH } from '../../shared/contract.js';
import {
  closePages,
  connectBrowser,
  describeEach,
  FRONT_ENDS,
  lines,
  login,
  notices,
  openApp,
  openAs,
  openChannel,
  presence,
  say,
  screenshot,
  serverKinds,
  shownError,
  startServer,
  texts,
  type TestChatServer,
} from './support/harness.js';

const poll = { timeout: 15_000 };

for (const app of FRONT_ENDS) {
  describeEach(`the ${app} chat`, serverKinds(), (kind) => {
    let server: TestChatServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([
        startServer(kind, { receiptTimeoutMs: 5000 }),
        connectBrowser(),
      ]);
    });
    afterEach(closePages);
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('two users see each other’s messages and presence; closing one shows "left"', async () => {
      const alice = await openApp(browser, server, app);
      await login(alice.page, 'alice');
      // A wrong password: a clear error, and the form stays usable.
      const bob = await openApp(browser, server, app);
      await bob.page.getByTestId('login-user').fill('bob');
      await bob.page.getByTestId('login-password').fill('wrong');
      await bob.page.getByTestId('login-submit').click();
      await expect.poll(() => shownError(bob.page), poll).toBe('Wrong user name or password.');
      await login(bob.page, 'bob');

      await expect.poll(() => presence(alice.page), poll).toEqual(['alice', 'bob']);
      await expect.poll(() => presence(bob.page), poll).toEqual(['alice', 'bob']);
      await expect.poll(() => notices(alice.page), poll).toEqual(['bob joined']);

      await say(alice.page, 'Hi Bob!');
      await say(bob.page, 'Hello Alice.');
      for (const { page } of [alice, bob]) {
        await expect.poll(() => lines(page), poll).toEqual(['alice: Hi Bob!', 'bob: Hello Alice.']);
      }
      await expect.poll(() => alice.page.getByTestId('message-input').inputValue()).toBe('');
      await screenshot(alice.page, `${kind}-${app}-everyone`);

      await bob.context.close();
      await expect.poll(() => notices(alice.page), poll).toEqual(['bob joined', 'bob left']);
      await expect.poll(() => presence(alice.page), poll).toEqual(['alice']);
      expect([...alice.problems, ...bob.problems]).toEqual([]);
      await alice.context.close();
    });

    it('rooms: joining streams the history, messages stay in their room, a long text goes up in chunks', async () => {
      const alice = await openAs(browser, server, app, 'alice');
      await openChannel(alice.page, 'general');
      await say(alice.page, 'general before bob');
      await expect.poll(() => texts(alice.page), poll).toEqual(['general before bob']);
      await openChannel(alice.page, 'random');
      await say(alice.page, 'random before bob');
      await expect.poll(() => texts(alice.page), poll).toEqual(['random before bob']);

      // Bob was not there: joining #general streams its history, and #random's message is not in it.
      const bob = await openAs(browser, server, app, 'bob');
      await openChannel(bob.page, 'general');
      await expect.poll(() => lines(bob.page), poll).toEqual(['alice: general before bob']);
      await say(bob.page, 'general from bob');
      await expect.poll(() => texts(bob.page), poll).toEqual(['general before bob', 'general from bob']);

      // Alice, in #random, gets it in #general only (counted as unread there).
      const general = alice.page.getByTestId('room-list').getByRole('button', { name: /^# general/ });
      await expect.poll(() => general.innerText(), poll).toMatch(/# general\s*1$/);
      expect(await texts(alice.page)).toEqual(['random before bob']);
      await openChannel(alice.page, 'general');
      await expect.poll(() => texts(alice.page), poll).toEqual(['general before bob', 'general from bob']);
      // The everyone channel has none of them.
      await openChannel(bob.page, 'everyone');
      expect(await texts(bob.page)).toEqual([]);

      // A pasted text longer than one message may be: SendLongMessage, uploaded in chunks.
      const long = Array.from({ length: 90 }, (_, i) => `line ${i} of a long paste`).join(' ');
      expect(long.length).toBeGreaterThan(MAX_MESSAGE_LENGTH);
      await say(alice.page, long);
      await openChannel(bob.page, 'general');
      await expect
        .poll(() => texts(bob.page), poll)
        .toEqual(['general before bob', 'general from bob', long]);
      await expect
        .poll(() => texts(alice.page), poll)
        .toEqual(['general before bob', 'general from bob', long]);
      await screenshot(bob.page, `${kind}-${app}-rooms`);

      expect([...alice.problems, ...bob.problems]).toEqual([]);
      await Promise.all([alice.context.close(), bob.context.close()]);
    });

    it('direct messages: the recipient’s page answers the read receipt once the conversation is open', async () => {
      const [alice, bob] = await Promise.all([
        openAs(browser, server, app, 'alice'),
        openAs(browser, server, app, 'bob'),
      ]);
      await expect.poll(() => presence(bob.page), poll).toEqual(['alice', 'bob']);
      await bob.page
        .getByTestId('presence-list')
        .getByRole('button', { name: /^alice/ })
        .click();
      await say(bob.page, 'psst, alice');
      await expect.poll(() => bob.page.getByTestId('receipt').innerText(), poll).toBe('sent');
      // Alice is in #everyone: the message waits in @bob, unread, until she opens it.
      const fromBob = alice.page.getByTestId('direct-list').getByRole('button', { name: /@bob/ });
      await expect.poll(() => fromBob.innerText(), poll).toMatch(/@bob\s*1/);
      await fromBob.click();
      await expect.poll(() => lines(alice.page), poll).toEqual(['bob: psst, alice']);
      await expect.poll(() => bob.page.getByTestId('receipt').innerText(), poll).toBe('✓ read');

      // To a user who is offline: the server's refusal, shown; the text goes back into the box.
      await bob.page
        .getByTestId('presence-list')
        .getByRole('button', { name: /^alice/ })
        .click();
      await alice.context.close();
      await expect.poll(() => presence(bob.page), poll).toEqual(['bob']);
      await say(bob.page, 'are you there?');
      await expect.poll(() => shownError(bob.page), poll).toBe("User 'alice' is not online.");
      await expect.poll(() => bob.page.getByTestId('message-input').inputValue()).toBe('are you there?');
      expect([...alice.problems, ...bob.problems]).toEqual([]);
      await bob.context.close();
    });

    it('bad input gets a visible error, and the chat goes on', async () => {
      const alice = await openAs(browser, server, app, 'alice');
      await say(alice.page, '   ');
      await expect.poll(() => shownError(alice.page), poll).toBe('Message text is empty.');
      await say(alice.page, 'x'.repeat(MAX_MESSAGE_LENGTH + 1));
      await expect
        .poll(() => shownError(alice.page), poll)
        .toBe(`Message text is longer than ${MAX_MESSAGE_LENGTH} characters.`);
      // Refused text is not lost: it is back in the box.
      await expect
        .poll(() => alice.page.getByTestId('message-input').inputValue())
        .toBe('x'.repeat(MAX_MESSAGE_LENGTH + 1));
      await say(alice.page, 'still here');
      await expect.poll(() => lines(alice.page), poll).toEqual(['alice: still here']);
      expect(await shownError(alice.page)).toBeNull();
      await expect
        .poll(() => alice.page.getByTestId('connection-status').getAttribute('data-status'))
        .toBe('connected');
      expect(alice.problems).toEqual([]);
      await alice.context.close();
    });
  });
}
