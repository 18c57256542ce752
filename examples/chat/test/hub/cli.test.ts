// Both chat servers as a user starts them: the mock server's CLI with `--preset chat` and the ASP.NET Core chat
// server, with the flags and environment variables they share (--token-lifetime / HUBRX_CHAT_TOKEN_LIFETIME,
// --receipt-timeout-ms / HUBRX_CHAT_RECEIPT_TIMEOUT_MS, --static), and a bad value refused at startup.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { login } from '../support/clients.js';
import { SITE_FIXTURE } from '../support/options.js';
import { startDotnetChatServer } from '../support/servers.js';
import { chatTargets } from '../support/targets.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs the mock server's CLI; resolves with its URL once it listens, or rejects with its output when it exits. */
function mockCli(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@hubrx/source', 'mock-server/src/node/cli.ts', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Now listening on: (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exit ${String(code)}: ${output}`)));
  });
}

async function lifetimeOf(url: string): Promise<number> {
  const { token, expiresAt } = await login(url, 'alice');
  const { iat, exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    iat: number;
    exp: number;
  };
  expect(expiresAt).toBe(new Date(exp * 1000).toISOString());
  return exp - iat;
}

describe('the mock server’s CLI with --preset chat', () => {
  it('takes --token-lifetime and --static', async () => {
    const url = await mockCli([
      '--preset',
      'chat',
      '--port',
      '0',
      '--token-lifetime',
      '7',
      '--static',
      `/site/=${SITE_FIXTURE}`,
    ]);
    expect(await lifetimeOf(url)).toBe(7);
    expect((await fetch(`${url}/site/`)).status).toBe(200);
    expect((await fetch(`${url}/hubs/chat/negotiate`, { method: 'POST' })).status).toBe(401);
  });

  it('takes HUBRX_CHAT_TOKEN_LIFETIME, and defaults to 15 minutes', async () => {
    expect(
      await lifetimeOf(
        await mockCli(['--preset', 'chat', '--port', '0'], { HUBRX_CHAT_TOKEN_LIFETIME: '9' }),
      ),
    ).toBe(9);
    expect(await lifetimeOf(await mockCli(['--preset', 'chat', '--port', '0']))).toBe(900);
  });

  it.each([
    [['--token-lifetime', '0'], /Invalid --token-lifetime '0'/],
    [['--receipt-timeout-ms', 'soon'], /Invalid --receipt-timeout-ms 'soon'/],
  ])('refuses %j at startup', async (args, message) => {
    await expect(mockCli(['--preset', 'chat', '--port', '0', ...args])).rejects.toThrow(message);
  });
});

const dotnet = chatTargets().find((target) => target.kind === 'aspnetcore')!;

describe.skipIf(!dotnet.available)('the ASP.NET Core chat server', () => {
  it('takes HUBRX_CHAT_TOKEN_LIFETIME, and defaults to 15 minutes', async () => {
    const withEnv = await startDotnetChatServer({}, { env: { HUBRX_CHAT_TOKEN_LIFETIME: '9' } });
    const plain = await startDotnetChatServer();
    try {
      expect(await lifetimeOf(withEnv.url)).toBe(9);
      expect(await lifetimeOf(plain.url)).toBe(900);
    } finally {
      await Promise.all([withEnv.stop(), plain.stop()]);
    }
  });

  it('takes --port and --host (over --urls)', async () => {
    const server = await startDotnetChatServer({}, { extraArgs: ['--port', '0', '--host', '127.0.0.1'] });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await lifetimeOf(server.url)).toBe(900);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [['--token-lifetime', '0'], /Invalid --token-lifetime '0'/],
    [['--receipt-timeout-ms', 'soon'], /Invalid --receipt-timeout-ms 'soon'/],
    [['--port', '70000'], /Invalid --port '70000'/],
    [['--static', '/site/=/no/such/folder'], /is not a folder/],
  ])('refuses %j at startup', async (args, message) => {
    await expect(startDotnetChatServer({}, { extraArgs: args })).rejects.toThrow(message);
  });
});
