// core/README.md promises a runnable Node example: run it, as a user would, against a mock server on a port.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMockHubServer, testPreset, type MockHubServer } from '@hubrx/mock-server';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: MockHubServer;

beforeAll(async () => {
  server = await createMockHubServer(testPreset());
});
afterAll(() => server.close());

it('core/examples/node.mjs connects, invokes, streams and stops', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@hubrx/source', 'core/examples/node.mjs', `${server.url}/testhub`],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(output).toContain('state: connected (webSockets)');
  expect(output).toContain('Add(1, 2) = 3');
  expect(output).toContain('server says: hello from Node');
  expect(output).toContain('first three counter items: 0, 1, 2');
  expect(output.trim().split('\n').at(-1)).toBe('state: disconnected');
  expect(code).toBe(0);
});
