// The React front-end in development mode, under <StrictMode> (which mounts, unmounts and mounts every component
// again, and runs effects twice): one negotiate and one hub connection, counted on the mock server.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  closePages,
  connectBrowser,
  describeEach,
  lines,
  openApp,
  openChannel,
  login,
  say,
  startServer,
  texts,
  type TestChatServer,
} from './support/harness.js';

describeEach('the React chat in development mode (StrictMode)', ['mock'], () => {
  let server: TestChatServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer('mock'), connectBrowser()]);
  });
  afterAll(async () => {
    await closePages();
    await browser?.close();
    await server?.stop();
  });

  it('opens exactly one connection', async () => {
    const { page, problems } = await openApp(browser, server, 'dev/react');
    const logs: string[] = [];
    page.on('console', (message) => logs.push(message.text()));
    await page.reload();
    // React's development build says so on load (the production one does not).
    await expect.poll(() => logs.some((text) => text.includes('React DevTools'))).toBe(true);
    await login(page, 'alice');
    await say(page, 'in development mode');
    await expect.poll(() => lines(page)).toEqual(['alice: in development mode']);
    // Streams and rooms too: StrictMode's second mount changes nothing.
    await openChannel(page, 'general');
    await say(page, 'in a room');
    await expect.poll(() => texts(page)).toEqual(['in a room']);
    await openChannel(page, 'everyone');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const negotiates = server.requests.filter((request) => request === 'POST /hubs/chat/negotiate');
    expect(negotiates).toHaveLength(1);
    const connections = server.mock!.connections;
    expect(connections).toHaveLength(1);
    expect(connections[0]!.user?.id).toBe('alice');
    // RoomHistory ran once: not cancelled and called again by the second mount.
    const histories = server.mock!.log.filter(
      (entry) =>
        entry.direction === 'received' && entry.message.type === 4 && entry.message.target === 'RoomHistory',
    );
    expect(histories).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('is a development build there, and a production build at /react/', async () => {
    const logs: string[] = [];
    const { page } = await openApp(browser, server, 'react');
    page.on('console', (message) => logs.push(message.text()));
    await page.reload();
    await login(page, 'bob');
    expect(logs.some((text) => text.includes('React DevTools'))).toBe(false);
  });
});
