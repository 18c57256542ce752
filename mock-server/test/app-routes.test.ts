// The general features the chat preset is built on, beyond it: loginRoutes with a users function and its own paths,
// and static files with several mounts (the longest prefix first, falling back to a shorter one).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHub, loginRoutes } from '@hubrx/mock-server';
import { server } from './helpers.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('loginRoutes', () => {
  it('checks credentials with a function, on its own paths, with its own cookie', async () => {
    const checked: [string, string][] = [];
    const mock = await server({
      hubs: { '/hub': defineHub({ authorize: true, methods: { Who: (ctx) => ctx.userIdentifier } }) },
      routes: loginRoutes({
        users: async (username, password) => {
          checked.push([username, password]);
          await Promise.resolve();
          return password === `${username}!`;
        },
        tokenLifetimeSeconds: 30,
        cookieName: 'session',
        paths: { token: '/auth/token', login: '/auth/login', logout: '/auth/logout' },
      }),
    });
    expect((await fetch(`${mock.url}/auth/token`, json({ username: 'zoe', password: 'no' }))).status).toBe(
      401,
    );
    const ok = await fetch(`${mock.url}/auth/token`, json({ username: 'zoe', password: 'zoe!' }));
    const { token, expiresAt } = (await ok.json()) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(28_000);
    expect(checked).toEqual([
      ['zoe', 'no'],
      ['zoe', 'zoe!'],
    ]);
    // The server accepts the token.
    const negotiate = await fetch(`${mock.url}/hub/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(negotiate.status).toBe(200);

    const login = await fetch(`${mock.url}/auth/login`, json({ username: 'ann', password: 'ann!' }));
    expect(login.status).toBe(204);
    const cookie = login.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^session=[\w.-]+; Max-Age=43200; Path=\/auth; SameSite=Strict; HttpOnly$/);
    const exchanged = await fetch(`${mock.url}/auth/token`, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(exchanged.status).toBe(200);
    const logout = await fetch(`${mock.url}/auth/logout`, { method: 'POST' });
    expect(logout.headers.getSetCookie()[0]).toMatch(
      /^session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/auth/,
    );
  });
});

describe('static files', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hubrx-static-'));
    await mkdir(join(root, 'site', 'app'), { recursive: true });
    await mkdir(join(root, 'app'), { recursive: true });
    await writeFile(join(root, 'site', 'index.html'), '<p>landing</p>');
    await writeFile(join(root, 'site', 'only-here.txt'), 'from the root mount');
    await writeFile(join(root, 'app', 'index.html'), '<p>app</p>');
    await writeFile(join(root, 'app', 'data.bin'), Buffer.from([1, 2, 3]));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves the longest prefix first, falls back to shorter ones, and leaves hubs and routes first', async () => {
    const mock = await server({
      hubs: { '/hub': defineHub({ methods: {} }) },
      routes: [{ path: '/app/route', handler: () => new Response('a route') }],
      static: { '/': join(root, 'site'), '/app': join(root, 'app') },
    });
    expect(await (await fetch(`${mock.url}/`)).text()).toBe('<p>landing</p>');
    expect(await (await fetch(`${mock.url}/app/`)).text()).toBe('<p>app</p>');
    const redirect = await fetch(`${mock.url}/app?x=1`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/app/?x=1']);
    // Not under /app/: the `/` mount has it.
    expect(await (await fetch(`${mock.url}/only-here.txt`)).text()).toBe('from the root mount');
    const binary = await fetch(`${mock.url}/app/data.bin`);
    expect(binary.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await binary.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(await (await fetch(`${mock.url}/app/route`)).text()).toBe('a route');
    expect((await fetch(`${mock.url}/hub/negotiate?negotiateVersion=1`, { method: 'POST' })).status).toBe(
      200,
    );
    expect((await fetch(`${mock.url}/app/`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${mock.url}/app/%00`)).status).toBe(404);
  });
});
