/**
 * `npm start` and `npm run start:dotnet`: builds the chat's front-ends (those not up to date, see build.ts) and
 * serves them, with the chat hub, on http://127.0.0.1:5000: the landing page at `/`, the apps at `/react/`, `/vue/`
 * and `/angular/`, the hub at `/hubs/chat`, the login API at `/api`.
 *
 * `npm start` runs the hub on @hubrx/mock-server (its `chat` preset, in this process); `npm run start:dotnet` on the
 * ASP.NET Core chat server of examples/chat/dotnet (built on first use). Flags, after `--`:
 * `--port <n>` (0: any free port), `--host <h>`, `--token-lifetime <seconds>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chatPreset, createMockHubServer } from '@hubrx/mock-server';
import { buildDotnetApp } from '../../test/support/dotnet-server.js';
import { buildChat, DIST } from './build.js';
import { DEMO_PASSWORD, DEMO_USERS } from './shared/contract.js';
import { chatServerApp } from './test/support/servers.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5000' },
    host: { type: 'string', default: '127.0.0.1' },
    dotnet: { type: 'boolean', default: false },
    'token-lifetime': { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port '${values.port}': a whole number from 0 to 65535.`);
  process.exit(2);
}
const tokenLifetime = values['token-lifetime'] === undefined ? undefined : Number(values['token-lifetime']);
const serverName = values.dotnet ? 'the ASP.NET Core chat server' : 'the mock server (@hubrx/mock-server)';

console.log("Building the chat's front-ends (React, Vue, Angular) from the packages' sources:");
const started = performance.now();
await buildChat({ log: console.log });
console.log(`  ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

function ready(url: string): void {
  console.log(`
hubrx chat on ${serverName}: ${url}/
  React    ${url}/react/
  Vue      ${url}/vue/
  Angular  ${url}/angular/
Demo users: ${DEMO_USERS.join(', ')} (password: ${DEMO_PASSWORD}). Ctrl+C stops.
Now listening on: ${url}`);
}

if (!values.dotnet) {
  const server = await createMockHubServer({
    ...chatPreset(tokenLifetime === undefined ? {} : { tokenLifetimeSeconds: tokenLifetime }),
    static: { '/': DIST },
    host: values.host,
    port,
  });
  ready(server.url);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  console.log('Building the ASP.NET Core chat server (examples/chat/dotnet) if needed…');
  const dll = await buildDotnetApp(chatServerApp);
  const args = [dll, '--host', values.host, '--port', String(port), '--static', `/=${DIST}`];
  if (tokenLifetime !== undefined) args.push('--token-lifetime', String(tokenLifetime));
  const child: ChildProcess = spawn('dotnet', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let announced = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const match = /Now listening on: (http:\/\/\S+)/.exec(output);
    if (!announced && match?.[1] !== undefined) {
      announced = true;
      ready(match[1].replace(/\/$/, ''));
    } else if (announced) {
      process.stdout.write(chunk);
    }
  });
  child.once('exit', (code) => {
    if (!announced) console.error(output);
    process.exit(code ?? 1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
}
