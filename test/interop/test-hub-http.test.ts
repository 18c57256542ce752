// The HTTP side of the test hub contract (/work/shared/test-hub.md), checked with plain fetch: negotiate cookies,
// /bad-negotiate, /redirect, the test JWTs, bearer auth on every hub, /clientresult and the raw /echo connection.
// Runs against every target, so a second server (the mock) has to answer exactly like ASP.NET Core.

import { createHmac } from 'node:crypto';

import { expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';

const SIGNING_KEY = 'hubrx-test-signing-key-0123456789abcdef';

function base64UrlJson(part: string | undefined): unknown {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

/** A JWT in the documented format, signed with `key`. */
function signJwt(payload: Record<string, unknown>, key: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', key).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

function negotiate(url: string, init: RequestInit = {}): Promise<Response> {
  const separator = url.includes('?') ? '&' : '?';
  return fetch(`${url}${separator}negotiateVersion=1`, { method: 'POST', ...init });
}

describeEachTarget('test hub HTTP contract', (server) => {
  it('negotiates /testhub with all transports and sets the test cookies', async () => {
    const response = await negotiate(`${server.url}/testhub/negotiate`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ negotiateVersion: 1 });
    expect(typeof body.connectionId).toBe('string');
    expect(typeof body.connectionToken).toBe('string');
    expect(body.availableTransports).toEqual([
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
    const cookies = response.headers.getSetCookie();
    expect(cookies).toContain('testCookie=testValue; path=/');
    expect(cookies).toContain('testCookie2=testValue2; path=/');
    expect(cookies.some((cookie) => cookie.startsWith('expiredCookie=doesntmatter; expires='))).toBe(true);
  });

  it('offers only Server-Sent Events and Long Polling on /testhub-nowebsockets', async () => {
    const response = await negotiate(`${server.url}/testhub-nowebsockets/negotiate`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.availableTransports).toEqual([
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
  });

  it('accepts stateful reconnect on /testhub only', async () => {
    const query = '?useStatefulReconnect=true';
    const testhub = (await (await negotiate(`${server.url}/testhub/negotiate${query}`)).json()) as object;
    expect(testhub).toMatchObject({ useStatefulReconnect: true, negotiateVersion: 1 });
    const other = (await (
      await negotiate(`${server.url}/testhub-nowebsockets/negotiate${query}`)
    ).json()) as object;
    expect(other).not.toHaveProperty('useStatefulReconnect');
  });

  it('answers /bad-negotiate with 400 and a text body', async () => {
    const response = await negotiate(`${server.url}/bad-negotiate/negotiate`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('Some response from server');
  });

  it('redirects /redirect negotiates to baseUrl/testhub, counting up (body { "url": ... } only)', async () => {
    const base = 'http://example.test:1234';
    const first = await negotiate(`${server.url}/redirect/negotiate?baseUrl=${encodeURIComponent(base)}`);
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as { url: string };
    const match = /^http:\/\/example\.test:1234\/testhub\?numRedirects=(\d+)$/.exec(firstBody.url);
    expect(match).not.toBeNull();
    expect(Object.keys(firstBody)).toEqual(['url']); // no accessToken
    // Any method, any sub-path. (Other suites share the counter, so only "later is larger" holds.)
    const second = await fetch(`${server.url}/redirect/whatever?baseUrl=${encodeURIComponent(base)}`);
    const secondBody = (await second.json()) as { url: string };
    const secondMatch = /^http:\/\/example\.test:1234\/testhub\?numRedirects=(\d+)$/.exec(secondBody.url);
    expect(Number(secondMatch?.[1])).toBeGreaterThan(Number(match?.[1]));
  });

  it('issues HS256 test tokens: sub, iat, exp (default user testuser, default lifetime 5 s)', async () => {
    const token = await (await fetch(`${server.url}/generateJwtToken`)).text();
    const [header, payload, signature] = token.split('.');
    expect(base64UrlJson(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = base64UrlJson(payload) as { sub: string; iat: number; exp: number };
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sub']);
    expect(claims.sub).toBe('testuser');
    expect(claims.exp - claims.iat).toBe(5);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(30);
    expect(signature).toBe(
      createHmac('sha256', SIGNING_KEY).update(`${header}.${payload}`).digest('base64url'),
    );

    const custom = await (
      await fetch(`${server.url}/generateJwtToken?user=alice&expiresInSeconds=60`)
    ).text();
    const customClaims = base64UrlJson(custom.split('.')[1]) as { sub: string; iat: number; exp: number };
    expect(customClaims.sub).toBe('alice');
    expect(customClaims.exp - customClaims.iat).toBe(60);
  });

  it('requires a valid bearer token on /authorizedhub, from the header or access_token', async () => {
    const token = await (await fetch(`${server.url}/generateJwtToken?expiresInSeconds=60`)).text();
    const hub = `${server.url}/authorizedhub/negotiate`;

    const anonymous = await negotiate(hub);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    expect((await negotiate(hub, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await negotiate(`${hub}?access_token=${encodeURIComponent(token)}`)).status).toBe(200);
  });

  it('accepts its own tokens signed by anyone holding the shared key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({ sub: 'carol', iat: now, exp: now + 60 }, SIGNING_KEY);
    const response = await negotiate(`${server.url}/authorizedhub/negotiate`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  });

  it('rejects a presented but invalid token with 401 on every hub', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      expired: await (await fetch(`${server.url}/generateJwtToken?expiresInSeconds=-10`)).text(),
      wrongKey: signJwt(
        { sub: 'mallory', iat: now, exp: now + 60 },
        'some-other-key-0123456789abcdef0123456789',
      ),
      garbage: 'not-a-jwt',
    };
    for (const path of ['/testhub', '/testhub-nowebsockets', '/authorizedhub']) {
      for (const [kind, token] of Object.entries(tokens)) {
        const viaHeader = await negotiate(`${server.url}${path}/negotiate`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        expect(viaHeader.status, `${path} ${kind} (header)`).toBe(401);
        expect(viaHeader.headers.get('www-authenticate'), `${path} ${kind}`).toMatch(
          /^Bearer error="invalid_token"/,
        );
        const viaQuery = await negotiate(
          `${server.url}${path}/negotiate?access_token=${encodeURIComponent(token)}`,
        );
        expect(viaQuery.status, `${path} ${kind} (query)`).toBe(401);
      }
    }
  });

  it('answers /clientresult for an unknown connection with the error message', async () => {
    const response = await fetch(`${server.url}/clientresult/no-such-connection`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("Connection 'no-such-connection' does not exist.");
  });

  it('echoes raw payloads on /echo (long polling, no hub protocol)', async () => {
    const negotiated = (await (await negotiate(`${server.url}/echo/negotiate`)).json()) as {
      connectionToken: string;
    };
    const endpoint = `${server.url}/echo?id=${encodeURIComponent(negotiated.connectionToken)}`;
    // The first poll returns at once and only establishes the connection.
    const first = await fetch(endpoint);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');

    const sent = await fetch(endpoint, { method: 'POST', body: 'hello, echo' });
    expect(sent.status).toBe(200);
    const poll = await fetch(endpoint);
    expect(poll.status).toBe(200);
    expect(await poll.text()).toBe('hello, echo');

    expect((await fetch(endpoint, { method: 'DELETE' })).status).toBe(202);
  });
});
