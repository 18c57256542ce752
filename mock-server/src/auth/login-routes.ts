import type { Route } from '../server/mock-hub.js';
import { TEST_SIGNING_KEY } from './authenticate.js';
import { hs256 } from './jwt.js';

/** Options of {@link loginRoutes}. */
export interface LoginRoutesOptions {
  /** The accounts: `{ username: password }`, or a function that checks a pair. */
  readonly users:
    Readonly<Record<string, string>> | ((username: string, password: string) => boolean | Promise<boolean>);
  /** How long an access token is valid, in seconds. Default 900 (15 minutes). */
  readonly tokenLifetimeSeconds?: number;
  /** The key tokens are signed with: the server's `auth.signingKey`. Default {@link TEST_SIGNING_KEY}. */
  readonly signingKey?: string;
  /** How long the login cookie is valid, in seconds. Default 43 200 (12 hours). */
  readonly cookieLifetimeSeconds?: number;
  /** The login cookie's name. Default `hubrx_login`. */
  readonly cookieName?: string;
  /** Where the routes are: default `/api/token`, `/api/login` and `/api/logout` (the cookie's path is `/api`). */
  readonly paths?: { readonly token?: string; readonly login?: string; readonly logout?: string };
}

/** What the token routes answer: a bearer token and when it expires (ISO 8601, UTC). */
export interface TokenResponseBody {
  readonly token: string;
  readonly expiresAt: string;
}

const BAD_BODY = 'Expected a JSON body {"username": string, "password": string}.';

/** The key cookies are signed with: derived from the token key, so that a cookie is never a bearer token. */
export function loginCookieKey(signingKey: string): string {
  return `${signingKey}/login-cookie`;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

function noContent(cookie: string): Response {
  return new Response(null, { status: 204, headers: { 'Set-Cookie': cookie, 'Cache-Control': 'no-store' } });
}

async function credentials(request: Request): Promise<{ username: string; password: string } | undefined> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { username, password } = body as Record<string, unknown>;
  return typeof username === 'string' && typeof password === 'string' ? { username, password } : undefined;
}

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The login endpoints of an app whose hubs take bearer tokens, as an ASP.NET Core app maps them next to its hubs:
 *
 * - `POST /api/token` with `{ "username", "password" }`: `200 { token, expiresAt }` (a JWT with `sub` = the user,
 *   in the format the server validates), `401` for wrong credentials, `400` for a body that is not that JSON;
 * - `POST /api/login` with the same body: `204` and an HttpOnly cookie (`SameSite=Strict`, path `/api`);
 * - `GET /api/token` with that cookie: `200 { token, expiresAt }`, `401` without a valid one;
 * - `POST /api/logout`: `204`, the cookie deleted.
 *
 * @example
 * ```ts
 * const server = await createMockHubServer({
 *   hubs: { '/hubs/chat': defineHub({ authorize: true, methods: { ... } }) },
 *   routes: loginRoutes({ users: { alice: 'secret' }, tokenLifetimeSeconds: 60 }),
 * });
 * ```
 */
export function loginRoutes(options: LoginRoutesOptions): Route[] {
  const signingKey = options.signingKey ?? TEST_SIGNING_KEY;
  const tokens = hs256(signingKey);
  const cookies = hs256(loginCookieKey(signingKey));
  const tokenLifetime = options.tokenLifetimeSeconds ?? 900;
  const cookieLifetime = options.cookieLifetimeSeconds ?? 43_200;
  const cookieName = options.cookieName ?? 'hubrx_login';
  const paths = { token: '/api/token', login: '/api/login', logout: '/api/logout', ...options.paths };
  const cookiePath = paths.login.slice(0, paths.login.lastIndexOf('/')) || '/';
  const users = options.users;
  const check = (username: string, password: string): boolean | Promise<boolean> =>
    typeof users === 'function'
      ? users(username, password)
      : Object.hasOwn(users, username) && users[username] === password;

  const issue = async (username: string): Promise<Response> => {
    // The format of the reference server's tokens (`{"sub","iat","exp"}`), so either server accepts the other's.
    const now = Math.floor(Date.now() / 1000);
    const token = await tokens.sign({ sub: username, iat: now, exp: now + tokenLifetime });
    const expiresAt = new Date((now + tokenLifetime) * 1000).toISOString();
    const body: TokenResponseBody = { token, expiresAt };
    return new Response(JSON.stringify(body), {
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  };

  /** The checked credentials' user, or the error response. */
  const authenticate = async (request: Request): Promise<string | Response> => {
    const given = await credentials(request);
    if (given === undefined) return text(400, BAD_BODY);
    return (await check(given.username, given.password))
      ? given.username
      : new Response(null, { status: 401 });
  };

  return [
    {
      method: 'POST',
      path: paths.token,
      handler: async (request) => {
        const user = await authenticate(request);
        return typeof user === 'string' ? issue(user) : user;
      },
    },
    {
      method: 'GET',
      path: paths.token,
      handler: async (request) => {
        const cookie = cookieValue(request, cookieName);
        if (cookie === undefined) return new Response(null, { status: 401 });
        let subject: unknown;
        try {
          subject = (await cookies.verify(cookie)).sub;
        } catch {
          return new Response(null, { status: 401 });
        }
        return typeof subject === 'string' ? issue(subject) : new Response(null, { status: 401 });
      },
    },
    {
      method: 'POST',
      path: paths.login,
      handler: async (request) => {
        const user = await authenticate(request);
        if (typeof user !== 'string') return user;
        const now = Math.floor(Date.now() / 1000);
        const value = await cookies.sign({ sub: user, iat: now, exp: now + cookieLifetime });
        return noContent(
          `${cookieName}=${value}; Max-Age=${cookieLifetime}; Path=${cookiePath}; SameSite=Strict; HttpOnly`,
        );
      },
    },
    {
      method: 'POST',
      path: paths.logout,
      handler: () =>
        noContent(
          `${cookieName}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=${cookiePath}; SameSite=Strict; HttpOnly`,
        ),
    },
  ];
}
