/**
 * Signing in, for the three front-ends: a cookie login (`POST /api/login`), then short-lived JWTs for the hub from
 * `GET /api/token`, fetched again when the one held expires or the server refuses it. The password is sent once
 * and never kept; the cookie is HttpOnly, so a script on the page cannot read it, and a reload stays signed in.
 */
import type { AccessTokenContext } from '@hubrx/core';
import type { TokenResponse } from './contract.js';

/** A login refused (`status` 401: wrong user name or password) or that could not be made. */
export class LoginError extends Error {
  override readonly name = 'LoginError';
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * A token this close to its expiry is replaced before use (it could expire on the way): 5 s, or a quarter of its
 * lifetime for short ones.
 */
const MARGIN_MS = 5_000;

interface Held {
  readonly token: string;
  /** When to fetch a new one. */
  readonly renewAt: number;
}

async function post(path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    credentials: 'same-origin',
  });
}

/** The `sub` (user name) of a JWT: read for display only (the server checks the signature). */
function subject(token: string): string {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const { sub } = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as {
    sub?: unknown;
  };
  if (typeof sub !== 'string') throw new LoginError('The server answered a token without a user.');
  return sub;
}

/**
 * The signed-in user and the token the hub connects with. One per page; every front-end's hub takes
 * `session.accessToken` as its `accessTokenFactory`.
 */
export class Session {
  #held: Held | undefined;
  #refreshing: Promise<Held> | undefined;
  #user: string | undefined;

  /** The signed-in user's name, once `login()` or `resume()` succeeded. */
  get user(): string | undefined {
    return this.#user;
  }

  /**
   * Signs in: the server sets its login cookie, and the first token is fetched. Rejects with a `LoginError`
   * whose message can be shown as it is.
   */
  async login(username: string, password: string): Promise<string> {
    let response: Response;
    try {
      response = await post('/api/login', { username: username.trim(), password });
    } catch (error) {
      throw new LoginError('The chat server cannot be reached.', undefined, { cause: error });
    }
    if (response.status === 401) throw new LoginError('Wrong user name or password.', 401);
    if (!response.ok) {
      const detail = (await response.text()).trim();
      throw new LoginError(detail || `The login failed (HTTP ${response.status}).`, response.status);
    }
    return this.#start();
  }

  /** {@link login} with a form's `user` and `password` fields. */
  loginWith(form: HTMLFormElement): Promise<string> {
    const data = new FormData(form);
    const field = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : '';
    };
    return this.login(field('user'), field('password'));
  }

  /** Signs in again from the login cookie of an earlier visit; `undefined` if there is none (or it expired). */
  async resume(): Promise<string | undefined> {
    try {
      return await this.#start();
    } catch {
      return undefined;
    }
  }

  /** Signs out: forgets the token and deletes the login cookie. */
  async logout(): Promise<void> {
    this.#held = undefined;
    this.#refreshing = undefined;
    this.#user = undefined;
    await post('/api/logout').catch(() => undefined);
  }

  /**
   * The hub's `accessTokenFactory`: the token held while it is valid; a new one when it is about to expire, or
   * when the server refused it (`forceRefresh`, after a 401). Concurrent calls share one request.
   */
  readonly accessToken = async ({ forceRefresh }: AccessTokenContext): Promise<string> => {
    const held = this.#held;
    if (!forceRefresh && held !== undefined && Date.now() < held.renewAt) return held.token;
    return (await this.#refresh()).token;
  };

  async #start(): Promise<string> {
    const held = await this.#refresh();
    this.#user = subject(held.token);
    return this.#user;
  }

  #refresh(): Promise<Held> {
    this.#refreshing ??= fetch('/api/token', { credentials: 'same-origin', cache: 'no-store' })
      .then(async (response) => {
        if (response.status === 401) throw new LoginError('Your session has ended: sign in again.', 401);
        if (!response.ok) throw new LoginError(`No token (HTTP ${response.status}).`, response.status);
        const body = (await response.json()) as TokenResponse;
        const expiresAt = Date.parse(body.expiresAt);
        const margin = Math.min(MARGIN_MS, (expiresAt - Date.now()) / 4);
        return (this.#held = { token: body.token, renewAt: expiresAt - margin });
      })
      .finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }
}
