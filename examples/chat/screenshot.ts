/**
 * The README's picture of the chat: `tsx --conditions=@hubrx/source examples/chat/screenshot.ts [front-end]` takes
 * it in Chromium (React by default) from the mock server's chat preset, three users talking in a room, and writes
 * examples/chat/screenshot.png.
 */
import { join } from 'node:path';
import { chatPreset, createMockHubServer } from '@hubrx/mock-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildChat, CHAT_DIR, DIST, FRONT_ENDS, type FrontEnd } from './build.js';
import { DEMO_PASSWORD } from './shared/contract.js';

const app = (process.argv[2] ?? 'react') as FrontEnd;
if (!FRONT_ENDS.includes(app)) throw new Error(`No front-end '${app}': ${FRONT_ENDS.join(', ')}.`);
const OUT = join(CHAT_DIR, 'screenshot.png');

await buildChat({ apps: [app] });
const server = await createMockHubServer({ ...chatPreset(), static: { '/': DIST } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });

async function signIn(on: Browser, user: string): Promise<Page> {
  const page = await on.newPage({ viewport: { width: 960, height: 540 } });
  await page.goto(`${server.url}/${app}/`);
  await page.getByTestId('login-user').fill(user);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForSelector('[data-testid="connection-status"][data-status="connected"]');
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('message-send').click();
  await page.getByTestId('message-list').getByText(text).first().waitFor();
}

try {
  const [alice, bob, carol] = [
    await signIn(browser, 'alice'),
    await signIn(browser, 'bob'),
    await signIn(browser, 'carol'),
  ];
  for (const page of [alice, bob, carol]) {
    await page
      .getByTestId('room-list')
      .getByRole('button', { name: /^# general/ })
      .click();
  }
  await say(bob, 'Morning! Is the new build on staging?');
  await say(alice, 'Yes, since 9:40. The hub restarted twice, nobody noticed.');
  await say(carol, 'The banner said "reconnecting, attempt 2" for a second, then it was back.');
  await say(bob, 'And the message I typed meanwhile went out once.');
  await bob
    .getByTestId('presence-list')
    .getByRole('button', { name: /^alice/ })
    .click();
  await say(bob, 'lunch at 12?');
  await alice.getByTestId('message-input').fill('Typed while offline? It waits in the outbox.');
  await alice.waitForTimeout(300);
  await alice.screenshot({ path: OUT });
  console.log(`Wrote ${OUT}`);
} finally {
  await browser.close();
  await server.close();
}
