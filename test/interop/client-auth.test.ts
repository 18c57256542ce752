// The hubrx client and authentication, on every target, over every transport × protocol pair: /authorizedhub with
// a token from /generateJwtToken, without one, with an invalid one; a token on /testhub sets the user; the factory
// is asked again for each connect, reconnects included.

import { createHmac } from 'node:crypto';

import { fixedDelays, NegotiateError } from '@hubrx/core';
import type { AccessTokenContext } from '@hubrx/core';
import { describe, expect, it } from 'vitest';

import { fetchToken, uniqueName } from '../support/functional-helpers.js';
import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  countingTokenFactory,
  failure,
  reconnectAfterServerClose,
  recordStates,
  settle,
  trackedConnections,
} from '../support/client-helpers.js';
import { describeEachTarget } from '../support/targets.js';

/** A well-formed HS256 JWT for user `eve`, valid until 2100, signed with a key the servers do not know. */
function invalidToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'HS256', typ: 'JWT' });
  const payload = part({
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': 'eve',
    exp: 4_102_444_800,
  });
  const signature = createHmac('sha256', 'not-the-test-signing-key-0123456789abcdef')
    .update(`${header}.${payload}`)
    .digest('base64url');
  return `${header}.${payload}.${signature}`;
}

const INVALID_TOKEN = invalidToken();

describeEachTarget('hubrx client: authentication', (server) => {
  const create = trackedConnections();
  const authorizedUrl = `${server.url}/authorizedhub`;

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      it('connects to /authorizedhub with a token from the factory: Echo, GetUserIdentifier', async () => {
        const user = uniqueName('auth');
        const token = await fetchToken(server.url, user);
        const calls: AccessTokenContext[] = [];
        const hub = create(authorizedUrl, {
          ...caseOptions(each),
          accessTokenFactory: (context) => {
            calls.push(context);
            return token;
          },
        });
        await settle(hub.start(), 'start');
        expect(await settle(hub.invoke('Echo', 'authorized'), 'Echo')).toBe('authorized');
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(user);
        expect(calls.length).toBeGreaterThan(0);
        expect(calls.every((call) => !call.forceRefresh && call.url === authorizedUrl)).toBe(true);
      });

      it('accepts an async token factory', async () => {
        const hub = create(authorizedUrl, {
          ...caseOptions(each),
          accessTokenFactory: () => fetchToken(server.url),
        });
        await settle(hub.start(), 'start');
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe('testuser');
      });

      it('fails to start /authorizedhub without a token: NegotiateError with statusCode 401', async () => {
        const hub = create(authorizedUrl, caseOptions(each));
        const states = recordStates(hub);
        const error = await failure(hub.start(), 'start');
        expect(error).toBeInstanceOf(NegotiateError);
        expect(error).toMatchObject({ statusCode: 401 });
        expect(states.statuses()).toEqual(['disconnected', 'connecting', 'disconnected']);
        expect(hub.state.lastError).toBe(error);
      });

      it('fails with 401 for an invalid token, after asking the factory once more with forceRefresh', async () => {
        const calls: boolean[] = [];
        const hub = create(authorizedUrl, {
          ...caseOptions(each),
          accessTokenFactory: ({ forceRefresh }) => {
            calls.push(forceRefresh);
            return INVALID_TOKEN;
          },
        });
        const error = await failure(hub.start(), 'start');
        expect(error).toBeInstanceOf(NegotiateError);
        expect(error).toMatchObject({ statusCode: 401 });
        expect(calls).toEqual([false, true]);
      });

      it('an invalid token is rejected with 401 on /testhub too', async () => {
        const hub = create(`${server.url}/testhub`, {
          ...caseOptions(each),
          accessTokenFactory: () => INVALID_TOKEN,
        });
        const error = await failure(hub.start(), 'start');
        expect(error).toBeInstanceOf(NegotiateError);
        expect(error).toMatchObject({ statusCode: 401 });
      });

      it('recovers from a 401 when the refreshed token is valid', async () => {
        const token = await fetchToken(server.url, 'refreshed');
        const hub = create(authorizedUrl, {
          ...caseOptions(each),
          accessTokenFactory: ({ forceRefresh }) => (forceRefresh ? token : INVALID_TOKEN),
        });
        await settle(hub.start(), 'start');
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe('refreshed');
      });

      it('a token on /testhub sets the caller user (GetUserIdentifier)', async () => {
        const user = uniqueName('user');
        const token = await fetchToken(server.url, user);
        const hub = create(`${server.url}/testhub`, {
          ...caseOptions(each),
          accessTokenFactory: () => token,
        });
        await settle(hub.start(), 'start');
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(user);
      });

      it('asks the factory once per connect, reconnects included; the server sees each fresh token', async () => {
        const user = uniqueName('fresh');
        const url = `${server.url}/testhub`;
        const { calls, accessTokenFactory } = countingTokenFactory(server.url, user);
        const hub = create(url, {
          ...caseOptions(each),
          reconnect: fixedDelays([0, 50, 100, 200, 500]),
          accessTokenFactory,
        });
        await settle(hub.start(), 'start');
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(`${user}-1`);

        await reconnectAfterServerClose(hub);
        expect(await settle(hub.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBe(`${user}-2`);
        expect(calls).toEqual([
          { forceRefresh: false, url },
          { forceRefresh: false, url },
        ]);
      });
    });
  }
});
