// The terminal client (`npm run chat`) as a user runs it: a child process reading stdin and printing to stdout,
// against both chat servers, exchanging messages with another client (the hubrx client in this process); and,
// against a mock server that restarts, reconnecting by itself with a refreshed token, its rooms joined again and a
// line typed during the outage sent once.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { MessageType, type InvocationMessage } from '@hubrx/core';
import { chatPreset, createMockHubServer, type MockHubServer } from '@hubrx/mock-server';
import { afterEach, describe, expect, it } from 'vitest';

import {
  chatConnections,
  inbox,
  settle,
  stateWhere,
  until,
  type ChatConnection,
  type Inbox,
} from '../support/clients.js';
import { describeEachChatServer } from '../support/targets.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** The terminal client as a child process: its output lines, and a way to type. */
class Terminal {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private partial = '';

  constructor(args: readonly string[]) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@hubrx/source', 'examples/chat/terminal/chat.ts', ...args],
      { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const onData = (chunk: Buffer) => {
      const parts = (this.partial + chunk.toString()).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  type(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Waits for an output line matching `pattern` (already printed or to come); returns it. */
  async line(pattern: RegExp | string, ms = 10_000): Promise<string> {
    const matches = (line: string) => (typeof pattern === 'string' ? line === pattern : pattern.test(line));
    try {
      await until(() => this.lines.some(matches), `the line ${String(pattern)}`, ms);
    } catch (error) {
      throw new Error(`${(error as Error).message}; the terminal printed:\n${this.lines.join('\n')}`, {
        cause: error,
      });
    }
    return this.lines.find(matches)!;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

const terminals: Terminal[] = [];
afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.kill();
});

function terminal(url: string, ...args: string[]): Terminal {
  const started = new Terminal(['--user', 'alice', '--url', url, ...args]);
  terminals.push(started);
  return started;
}

describeEachChatServer('npm run chat', (server) => {
  const create = chatConnections(server.url);

  it('exchanges messages, room messages, direct messages and presence with another client', async () => {
    const bob: ChatConnection = create('bob');
    const box: Inbox = inbox(bob);
    const directs: [string, string][] = [];
    bob.handle('directMessage', (from, text) => (directs.push([from, text]), true));
    await settle(bob.start(), 'bob connected');

    const alice = terminal(server.url);
    await alice.line(/^\* connected \(webSockets\)$/);
    const online = await alice.line(/^\* online: /);
    expect(online.slice('* online: '.length).split(', ')).toEqual(expect.arrayContaining(['alice', 'bob']));
    await until(() => box.userJoined.includes('alice'), 'userJoined(alice)');

    await settle(bob.invoke('SendMessage', 'hi alice'), 'SendMessage');
    await alice.line('bob: hi alice');
    alice.type('hello bob');
    await until(() => box.newMessage.some(([u, t]) => u === 'alice' && t === 'hello bob'), 'alice’s message');

    await settle(bob.invoke('JoinRoom', 'general'), 'JoinRoom');
    alice.type('/join general');
    await alice.line('* joined general');
    alice.type('/room general in the room');
    await until(
      () => box.roomMessage.some((m) => m.text === 'in the room' && m.user === 'alice'),
      'the room',
    );
    await settle(bob.invoke('SendToRoom', 'general', 'back in the room'), 'SendToRoom');
    await alice.line('[general] bob: back in the room');

    alice.type('/dm bob psst');
    await alice.line('* bob read your message');
    expect(directs).toEqual([['alice', 'psst']]);
    const receipt = await settle(bob.invoke('SendDirect', 'alice', 'hey alice'), 'SendDirect');
    expect(receipt).toMatchObject({ to: 'alice', read: true });
    await alice.line('(dm from bob) hey alice');

    alice.type('/room nope x');
    await alice.line("! Unknown room 'nope'.");
    alice.type('');
    alice.type('   ');
    alice.type('/who');
    await until(() => alice.lines.filter((line) => line.startsWith('* online: ')).length === 2, '/who');

    alice.type('/quit');
    expect(await alice.exited).toBe(0);
    await until(() => box.userLeft.includes('alice'), 'userLeft(alice)');
  });

  it('refuses a wrong password with a message and exit code 1', async () => {
    const wrong = terminal(server.url, '--password', 'nope');
    expect(await wrong.exited).toBe(1);
    expect(wrong.lines).toContain("! Wrong user name or password for 'alice'.");
  });
});

describe('npm run chat when the server restarts', () => {
  let server: MockHubServer | undefined;
  afterEach(() => server?.close());
  const create = chatConnections(() => server!.url);

  it('reconnects by itself with a fresh token, joins its rooms again, and sends what was typed meanwhile once', async () => {
    // 2-second tokens: expired by the time of the restart.
    server = await createMockHubServer(chatPreset({ tokenLifetimeSeconds: 2 }));
    const bob = create('bob');
    await settle(bob.start(), 'bob connected');
    await settle(bob.invoke('JoinRoom', 'random'), 'JoinRoom');

    const alice = terminal(server.url);
    await alice.line(/^\* connected/);
    alice.type('/join random');
    await alice.line('* joined random');
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const bobBefore = bob.state.connectionId;
    const restarted = server.restart({ downtimeMs: 1500 });
    await alice.line(/^\* reconnecting…/);
    alice.type('typed while reconnecting');
    await restarted;
    await until(
      () => alice.lines.filter((line) => line.startsWith('* connected')).length === 2,
      'a reconnect',
    );
    expect(alice.lines).toContain('* token refreshed');
    await stateWhere(bob, 'connected', (state) => state.connectionId !== bobBefore, 10_000);

    // Bob's new connection joins again; alice's did by itself.
    await settle(bob.invoke('JoinRoom', 'random'), 'JoinRoom');
    await settle(bob.invoke('SendToRoom', 'random', 'after the restart'), 'SendToRoom');
    await alice.line('[random] bob: after the restart');
    alice.type('and after');
    // The line typed during the outage went out once, before the next (the server's log: bob may have been offline
    // when it arrived, reconnecting too).
    const sent = () =>
      server!.log
        .filter((entry) => entry.direction === 'received' && entry.message.type === MessageType.Invocation)
        .map((entry) => entry.message as InvocationMessage)
        .filter((message) => message.target === 'SendMessage')
        .map((message) => message.arguments[0]);
    await until(() => sent().includes('and after'), 'the line typed after');
    expect(sent()).toEqual(['typed while reconnecting', 'and after']);
  });
});
