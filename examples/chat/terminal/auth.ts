import type { AccessTokenContext } from '@hubrx/core';

import type { TokenResponse } from '../shared/contract.js';

/** Login failed: wrong credentials (401), or the server could not be reached or answered something else. */
export class LoginError extends Error {
  override readonly name = 'LoginError' as const;
  readonly statusCode: number | undefined;

  constructor(message: string, statusCode: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

/** Logs in with `POST /api/token`. */
export async function login(url: string, username: string, password: string): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch (error) {
    throw new LoginError(`Cannot reach ${url}: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (response.status === 401) throw new LoginError(`Wrong user name or password for '${username}'.`, 401);
  if (!response.ok)
    throw new LoginError(`Login failed: ${response.status} ${await response.text()}`, response.status);
  return (await response.json()) as TokenResponse;
}

/**
 * Log in again this long before the token's expiry (5 s, or a quarter of a shorter lifetime), so that no request
 * goes out with a token about to expire.
 */
const MARGIN_MS = 5_000;

/**
 * The access-token factory: keeps the token from the last login and logs in again when it is about to expire or
 * when the client asks for a fresh one (`forceRefresh`, after the server answered 401). Concurrent calls share one
 * login. `onRefresh` is told of each login after the first.
 */
export function tokenFactory(
  url: string,
  username: string,
  password: string,
  onRefresh: (token: TokenResponse) => void = () => undefined,
  now: () => number = Date.now,
): (context: AccessTokenContext) => Promise<string> {
  let current: { readonly token: string; readonly refreshAt: number } | undefined;
  let pending: Promise<TokenResponse> | undefined;
  return async ({ forceRefresh }) => {
    if (current !== undefined && !forceRefresh && now() < current.refreshAt) return current.token;
    pending ??= login(url, username, password).finally(() => (pending = undefined));
    const response = await pending;
    // Concurrent callers share the login: the first to get it back keeps it.
    if (current?.token !== response.token) {
      const refreshed = current !== undefined;
      const expiresAt = Date.parse(response.expiresAt);
      const margin = Math.min(MARGIN_MS, Math.max(0, expiresAt - now()) / 4);
      current = { token: response.token, refreshAt: expiresAt - margin };
      if (refreshed) onRefresh(response);
    }
    return response.token;
  };
}
