// Static files on both servers (`--static /site/=<folder>`, how `npm start` serves the built front-ends): index.html
// for a folder, the trailing-slash redirect, content types, ETag revalidation, HEAD, and nothing outside the folder.

import { request } from 'node:http';

import { describe, expect, it } from 'vitest';

import { describeEachChatServer } from '../support/targets.js';

/** A GET with the path sent as it is (fetch would normalize `%2e%2e`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'GET', path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describeEachChatServer('chat server: static files', (server) => {
  it('serves a folder’s index.html, with no-cache', async () => {
    const response = await fetch(`${server.url}/site/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain("the static-file suites' index");
  });

  it('redirects a folder without its trailing slash', async () => {
    const response = await fetch(`${server.url}/site`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get('location')!, server.url).pathname).toBe('/site/');
  });

  it.each([
    ['sub/style.css', /^text\/css/, 'color: teal'],
    ['sub/app.js', /^text\/javascript/, 'export const fixture'],
  ])('serves %s with its content type', async (path, type, content) => {
    const response = await fetch(`${server.url}/site/${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(await response.text()).toContain(content);
  });

  it('revalidates with ETag and answers HEAD without a body', async () => {
    const first = await fetch(`${server.url}/site/sub/style.css`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${server.url}/site/sub/style.css`, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    const head = await fetch(`${server.url}/site/sub/style.css`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });

  it.each(['/site/missing.txt', '/site/sub/', '/elsewhere/index.html'])(
    'answers 404 for %s',
    async (path) => {
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    },
  );

  it.each([
    '/site/%2e%2e/static-files.test.ts',
    '/site/..%2fstatic-files.test.ts',
    '/site/sub/%2e%2e/%2e%2e/login.test.ts',
  ])('serves nothing outside the folder: %s', async (path) => {
    const { status, body } = await rawGet(server.url, path);
    expect([400, 404]).toContain(status);
    expect(body).not.toContain('describeEachChatServer');
  });

  describe('next to the hub and the API', () => {
    it('still answers the login route and the hub', async () => {
      expect((await fetch(`${server.url}/api/token`, { method: 'POST', body: '{}' })).status).toBe(400);
      expect((await fetch(`${server.url}/hubs/chat/negotiate`, { method: 'POST' })).status).toBe(401);
    });
  });
});
