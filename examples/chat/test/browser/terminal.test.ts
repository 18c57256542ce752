// The terminal client (`npm run chat`, examples/chat/terminal) and a browser user of each front-end, on one server:
// each sees the other's messages and presence, a room message and a direct message with its read receipt.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  closePages,
  connectBrowser,
  describeEach,
  FRONT_ENDS,
  lines,
  notices,
  openAs,
  openChannel,
  presence,
  say,
  serverKinds,
  startServer,
  type ServerKind,
} from './support/harness.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const poll = { timeout: 15_000 };

/** `npm run chat -- --user bob --url <url>` as a person runs it: lines typed on stdin, lines printed on stdout. */
class Terminal {
  readonly output: string[] = [];
  readonly #child: ChildProcess;
  #partial = '';

  constructor(url: string) {
    this.#child = spawn('npm', ['run', '--silent', 'chat', '--', '--user', 'bob', '--url', url], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const read = (chunk: Buffer) => {
      const parts = (this.#partial + chunk.toString()).split('\n');
      this.#partial = parts.pop() ?? '';
      this.output.push(...parts);
    };
    this.#child.stdout!.on('data', read);
    this.#child.stderr!.on('data', read);
  }

  type(line: string): void {
    this.#child.stdin!.write(`${line}\n`);
  }

  /** Waits until a printed line matches. */
  async printed(pattern: RegExp): Promise<void> {
    await expect.poll(() => this.output.some((line) => pattern.test(line)), poll).toBe(true);
  }

  /** Ends it as Ctrl+D does, then for sure (npm runs it two processes down: the whole group). */
  async quit(): Promise<void> {
    this.#child.stdin!.end();
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      process.kill(-this.#child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

for (const app of FRONT_ENDS) {
  const kinds = serverKinds().filter((kind: ServerKind) => kind === 'mock' || app === 'react');
  describeEach(`the terminal client and the ${app} chat`, kinds, (kind) => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await connectBrowser();
    });
    afterEach(closePages);
    afterAll(() => browser?.close());

    it('exchange messages, presence, a room message and a direct message', async () => {
      const server = await startServer(kind);
      const terminal = new Terminal(server.url);
      try {
        const alice = await openAs(browser, server, app, 'alice');
        await terminal.printed(/^\* connected/);
        await expect.poll(() => presence(alice.page), poll).toEqual(['alice', 'bob']);

        await say(alice.page, 'hello terminal');
        await terminal.printed(/^alice: hello terminal$/);
        terminal.type('hello browser');
        await expect
          .poll(() => lines(alice.page), poll)
          .toEqual(['alice: hello terminal', 'bob: hello browser']);

        await openChannel(alice.page, 'general');
        terminal.type('/join general');
        await terminal.printed(/^\* joined general/);
        await say(alice.page, 'in the room');
        await terminal.printed(/^\[general\] alice: in the room$/);
        terminal.type('/room general from the terminal');
        await expect
          .poll(() => lines(alice.page), poll)
          .toEqual(['alice: in the room', 'bob: from the terminal']);

        // A direct message from the terminal: the page shows it and answers the receipt once it is opened.
        terminal.type('/dm alice a secret');
        await alice.page.getByTestId('direct-list').getByRole('button', { name: /@bob/ }).click();
        await expect.poll(() => lines(alice.page), poll).toEqual(['bob: a secret']);
        await terminal.printed(/^\* alice read your message$/);

        await terminal.quit();
        await openChannel(alice.page, 'everyone');
        await expect.poll(() => notices(alice.page), poll).toContain('bob left');
        expect(alice.problems).toEqual([]);
      } finally {
        await terminal.quit();
        await closePages();
        await server.stop();
      }
    });
  });
}
