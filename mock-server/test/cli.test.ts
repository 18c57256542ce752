// The CLI as a user runs it: a process that prints ASP.NET Core's "Now listening on:" line and serves hubs.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connection } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  // Each child leads a process group: `npm start` runs the server two processes down (npm, sh, node).
  for (const child of children.splice(0)) if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
});

function start(...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return run(process.execPath, [
    '--import',
    'tsx',
    '--conditions=@hubrx/source',
    'mock-server/src/node/cli.ts',
    ...args,
  ]);
}

function run(
  command: string,
  args: readonly string[],
): Promise<{ child: ChildProcess; url: string; output: string }> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Now listening on: (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`CLI exited with ${String(code)}:\n${output}`)));
  });
}

describe('npm start (the README)', () => {
  // The chat example: its front-ends are built first (reused when up to date; a fresh clone builds them: hence the
  // time allowed), then served with the chat preset's hub. The pages themselves are tested in Chromium by
  // examples/chat/test/browser.
  it('builds and serves the chat: the landing page, the three front-ends, the login API and the hub', async () => {
    const { url, output } = await run('npm', ['start', '--', '--port', '0']);
    expect(output).toContain('Demo users: alice, bob, carol (password: hubrx-demo)');
    const landing = await (await fetch(`${url}/`)).text();
    for (const app of ['react', 'vue', 'angular']) {
      expect(landing).toContain(`href="${app}/"`);
      const page = await fetch(`${url}/${app}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`<title>hubrx chat`);
    }
    const login = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'hubrx-demo' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const client = connection(`${url}/hubs/chat`, { accessTokenFactory: () => token });
    const received = new Promise<string[]>((resolve) =>
      client.on('newMessage', (...args: string[]) => resolve(args)),
    );
    await client.start();
    await client.invoke('SendMessage', 'from npm start');
    expect(await received).toEqual(['alice', 'from npm start']);
    await client.stop();
  }, 300_000);
});

describe('hubrx-mock-server', () => {
  it('serves the test preset by default, on the port asked for, until SIGTERM', async () => {
    const { child, url } = await start('--port', '0');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = connection(`${url}/testhub`);
    await client.start();
    expect(await client.invoke('Add', 2, 3)).toBe(5);
    await client.stop();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('loads hubs from a module, next to a preset', async () => {
    const { url } = await start(
      '--port',
      '0',
      '--hubs',
      'mock-server/test/fixtures/hubs.mjs',
      '--preset',
      'test',
    );
    const greeter = connection(`${url}/greeter`);
    await greeter.start();
    expect(await greeter.invoke('Hello', 'Ada')).toBe('Hello, Ada!');
    const test = connection(`${url}/testhub`);
    await test.start();
    expect(await test.invoke('Echo', 'both')).toBe('both');
  });

  it('explains a bad argument and exits 1', async () => {
    await expect(start('--preset', 'nope')).rejects.toThrow(
      /Unknown preset 'nope'[\s\S]*Usage: hubrx-mock-server/,
    );
  });
});
