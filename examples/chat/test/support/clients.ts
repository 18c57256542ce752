// The hubrx client (@hubrx/core, in Node) against the chat servers: logins, tokens, connections that are stopped after
// each test, and waits that fail fast with a clear message.

import { createHmac } from 'node:crypto';

import type { AccessTokenContext, HubConnection, HubConnectionOptions } from '@hubrx/core';
import { TEST_SIGNING_KEY } from '@hubrx/mock-server';

import type { ChatClient, ChatServer, RoomMessage, TokenResponse } from '../../shared/contract.js';
import { DEMO_PASSWORD } from '../../shared/contract.js';
import { trackedConnections } from '../../../../test/support/client-helpers.js';

export {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  failure,
  next,
  settle,
  stateWhere,
  type ClientCase,
} from '../../../../test/support/client-helpers.js';
export { uniqueName, within, WAIT_MS } from '../../../../test/support/functional-helpers.js';

export type ChatConnection = HubConnection<ChatServer, ChatClient>;

/** `POST /api/token` with JSON credentials: the raw response. */
export function postToken(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Logs a demo user in (`POST /api/token`), failing the test on anything but 200. */
export async function login(url: string, username: string, password = DEMO_PASSWORD): Promise<TokenResponse> {
  const response = await postToken(url, { username, password });
  if (response.status !== 200) throw new Error(`POST /api/token for ${username}: ${response.status}`);
  return (await response.json()) as TokenResponse;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A token both servers accept for any user name (signed with the shared test key, as their tokens are): tests use
 * names no other test uses, so that presence on the shared servers is theirs alone.
 */
export function signToken(user: string, seconds = 600): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(
    JSON.stringify({ sub: user, iat: now, exp: now + seconds }),
  )}`;
  return `${input}.${createHmac('sha256', TEST_SIGNING_KEY).update(input).digest('base64url')}`;
}

/**
 * An access-token factory as an app writes one: logs in with `POST /api/token`, keeps the token, and logs in again
 * only when the client asks for a fresh one (`forceRefresh`, after a 401). Records its calls.
 */
export function loginTokenFactory(
  url: string,
  username: string,
): {
  readonly calls: AccessTokenContext[];
  readonly accessTokenFactory: (context: AccessTokenContext) => Promise<string>;
} {
  const calls: AccessTokenContext[] = [];
  let token: string | undefined;
  return {
    calls,
    accessTokenFactory: async (context) => {
      calls.push(context);
      if (token === undefined || context.forceRefresh) token = (await login(url, username)).token;
      return token;
    },
  };
}

/**
 * Creates typed chat connections (`${url}/hubs/chat`) stopped after each test. Call in a `describe` body; `url` may
 * be a function, read when a connection is made (for a server started in `beforeAll`). `user` is a name for
 * {@link signToken}, or `{ accessTokenFactory }`.
 */
export function chatConnections(
  url: string | (() => string),
): (
  user: string | Pick<HubConnectionOptions, 'accessTokenFactory'>,
  options?: Partial<HubConnectionOptions>,
) => ChatConnection {
  const create = trackedConnections();
  return (user, options = {}) => {
    const auth = typeof user === 'string' ? { accessTokenFactory: () => signToken(user) } : user;
    const base = typeof url === 'string' ? url : url();
    return create(`${base}/hubs/chat`, { ...auth, ...options }) as unknown as ChatConnection;
  };
}

/** The messages a connection receives, by client method, from the moment it is made (subscribe before start). */
export interface Inbox {
  readonly newMessage: [string, string][];
  readonly roomMessage: RoomMessage[];
  readonly presence: string[][];
  readonly userJoined: string[];
  readonly userLeft: string[];
}

export function inbox(connection: ChatConnection): Inbox {
  const box: Inbox = { newMessage: [], roomMessage: [], presence: [], userJoined: [], userLeft: [] };
  connection.on('newMessage').subscribe(([user, text]) => box.newMessage.push([user, text]));
  connection.on('roomMessage').subscribe(([message]) => box.roomMessage.push(message));
  connection.on('presence').subscribe(([users]) => box.presence.push(users));
  connection.on('userJoined').subscribe(([user]) => box.userJoined.push(user));
  connection.on('userLeft').subscribe(([user]) => box.userLeft.push(user));
  return box;
}

/** Resolves when `condition()` holds, checking every 10 ms; fails the test with `what` after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The HubException text a client sees (detailed errors are off: only HubException messages get through). */
export function hubError(method: string, message: string): string {
  return `An unexpected error occurred invoking '${method}' on the server. HubException: ${message}`;
}
