// Login routes of both chat servers: POST /api/token, the cookie login (POST /api/login, GET /api/token, POST
// /api/logout), and the hub's authorization (negotiate 401 without a token or with a bad one).

import { describe, expect, it } from 'vitest';

import { DEMO_PASSWORD, DEMO_USERS, type TokenResponse } from '../../shared/contract.js';
import { SHARED_SERVER_OPTIONS } from '../support/options.js';
import { chatConnections, login, postToken, settle, signToken } from '../support/clients.js';
import { describeEachChatServer } from '../support/targets.js';

const BAD_BODY = 'Expected a JSON body {"username": string, "password": string}.';

function claims(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function negotiate(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/hubs/chat/negotiate?negotiateVersion=1`, { method: 'POST', headers });
}

describeEachChatServer('chat login', (server) => {
  describe('POST /api/token', () => {
    it.each(DEMO_USERS)('gives %s a token for the configured lifetime', async (user) => {
      const before = Math.floor(Date.now() / 1000);
      const response = await postToken(server.url, { username: user, password: DEMO_PASSWORD });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as TokenResponse;
      expect(Object.keys(body).sort()).toEqual(['expiresAt', 'token']);
      const { sub, iat, exp } = claims(body.token) as { sub: string; iat: number; exp: number };
      expect(sub).toBe(user);
      expect(iat).toBeGreaterThanOrEqual(before);
      expect(exp - iat).toBe(SHARED_SERVER_OPTIONS.tokenLifetimeSeconds);
      expect(body.expiresAt).toBe(new Date(exp * 1000).toISOString());
    });

    it.each([
      ['a wrong password', { username: 'alice', password: 'hubrx-dem0' }],
      ['an unknown user', { username: 'mallory', password: DEMO_PASSWORD }],
      ['a name in another case', { username: 'Alice', password: DEMO_PASSWORD }],
      ['an empty password', { username: 'bob', password: '' }],
    ])('answers 401 to %s', async (_, body) => {
      const response = await postToken(server.url, body);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
    });

    it.each([
      ['no body', ''],
      ['malformed JSON', '{"username": "alice",'],
      ['an array', '["alice", "hubrx-demo"]'],
      ['a string', '"alice"'],
      ['no password', '{"username": "alice"}'],
      ['a number for a name', '{"username": 1, "password": "hubrx-demo"}'],
      ['a null password', '{"username": "alice", "password": null}'],
    ])('answers 400 with what it expects to %s', async (_, body) => {
      const response = await postToken(server.url, body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text()).toBe(BAD_BODY);
    });
  });

  describe('cookie login', () => {
    const postLogin = (body: unknown) =>
      fetch(`${server.url}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const getToken = (cookie?: string) =>
      fetch(`${server.url}/api/token`, cookie === undefined ? {} : { headers: { Cookie: cookie } });

    it('sets an HttpOnly cookie that GET /api/token exchanges for a token', async () => {
      const response = await postLogin({ username: 'bob', password: DEMO_PASSWORD });
      expect(response.status).toBe(204);
      const [setCookie, ...others] = response.headers.getSetCookie();
      expect(others).toEqual([]);
      expect(setCookie).toMatch(/^hubrx_chat=[\w.-]+;/);
      const attributes = setCookie!.toLowerCase().split(/;\s*/);
      expect(attributes).toContain('httponly');
      expect(attributes).toContain('samesite=strict');
      expect(attributes).toContain('path=/api');
      expect(attributes).toContain('max-age=43200');
      const cookie = setCookie!.split(';')[0]!;

      const exchanged = await getToken(cookie);
      expect(exchanged.status).toBe(200);
      const body = (await exchanged.json()) as TokenResponse;
      expect(claims(body.token).sub).toBe('bob');
      // The token opens the hub; the cookie itself is not a bearer token.
      expect((await negotiate(server.url, { Authorization: `Bearer ${body.token}` })).status).toBe(200);
      const cookieValue = cookie.slice('hubrx_chat='.length);
      expect((await negotiate(server.url, { Authorization: `Bearer ${cookieValue}` })).status).toBe(401);
    });

    it('refuses a wrong password (401, no cookie) and a bad body (400)', async () => {
      const wrong = await postLogin({ username: 'bob', password: 'nope' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.getSetCookie()).toEqual([]);
      const bad = await postLogin(['bob']);
      expect(bad.status).toBe(400);
      expect(await bad.text()).toBe(BAD_BODY);
    });

    it.each([
      ['no cookie', undefined],
      ['an empty cookie', 'hubrx_chat='],
      ['a forged cookie', 'hubrx_chat=abc.def.ghi'],
      ['a bearer token as the cookie', `hubrx_chat=${signToken('alice')}`],
      ['another cookie only', 'other=1'],
    ])('GET /api/token answers 401 to %s', async (_, cookie) => {
      const response = await getToken(cookie);
      expect(response.status).toBe(401);
    });

    it('POST /api/logout deletes the cookie', async () => {
      const response = await fetch(`${server.url}/api/logout`, { method: 'POST' });
      expect(response.status).toBe(204);
      const [setCookie] = response.headers.getSetCookie();
      expect(setCookie).toMatch(/^hubrx_chat=;/);
      expect(setCookie!.toLowerCase()).toContain('expires=thu, 01 jan 1970 00:00:00 gmt');
      expect(setCookie!.toLowerCase()).toContain('path=/api');
    });
  });

  describe('the hub requires a token', () => {
    const create = chatConnections(server.url);

    it('answers negotiate without a token with 401 and WWW-Authenticate: Bearer', async () => {
      const response = await negotiate(server.url);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it.each([
      ['an expired token', () => signToken('alice', -10)],
      ['a token signed with another key', () => `${signToken('alice').slice(0, -4)}AAAA`],
      ['garbage', () => 'not-a-token'],
    ])('answers negotiate with %s with 401 invalid_token', async (_, token) => {
      const response = await negotiate(server.url, { Authorization: `Bearer ${token()}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    it('takes the token from the access_token query (browsers’ WebSockets and EventSource)', async () => {
      const { token } = await login(server.url, 'carol');
      const response = await fetch(
        `${server.url}/hubs/chat/negotiate?negotiateVersion=1&access_token=${encodeURIComponent(token)}`,
        { method: 'POST' },
      );
      expect(response.status).toBe(200);
    });

    it('refuses the hubrx client without a token, with a 401 NegotiateError', async () => {
      const connection = create({ accessTokenFactory: () => '' });
      const error = await settle(
        connection.start().then(
          () => undefined,
          (failure: unknown) => failure,
        ),
        'start',
      );
      expect(error).toMatchObject({ name: 'NegotiateError', statusCode: 401 });
    });
  });
});
