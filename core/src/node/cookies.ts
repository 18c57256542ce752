/**
 * The part of a cookie jar hubrx uses: `CookieJar` from `tough-cookie` (v4 and later) with its default, synchronous
 * store. The WebSocket upgrade is opened synchronously, so the jar is read synchronously too.
 */
export interface CookieJarLike {
  getCookieStringSync(url: string): string;
  setCookieSync(cookie: string, url: string, options: { readonly ignoreError: boolean }): unknown;
}

const MAX_REDIRECTS = 20;

/** Checks that `jar` is a cookie jar hubrx can use; throws a TypeError saying what to pass otherwise. */
export function checkJar(jar: unknown, where: string): CookieJarLike {
  const candidate = jar as Partial<CookieJarLike> | null | undefined;
  if (typeof candidate?.getCookieStringSync !== 'function' || typeof candidate.setCookieSync !== 'function') {
    throw new TypeError(
      `${where} takes a cookie jar with getCookieStringSync and setCookieSync: \`new CookieJar()\` from 'tough-cookie'.`,
    );
  }
  return candidate as CookieJarLike;
}

/** The http(s) URL a cookie of `url` belongs to (a WebSocket's `ws(s)://` is its `http(s)://`). */
export function cookieUrl(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:');
}

/** Stores the `Set-Cookie` values of an answer from `url` (invalid ones are ignored, as browsers do). */
export function storeCookies(jar: CookieJarLike, url: string, setCookies: readonly string[]): void {
  for (const cookie of setCookies) jar.setCookieSync(cookie, cookieUrl(url), { ignoreError: true });
}

/** The `Cookie` header for `url` merged with one the caller set, or undefined when there is neither. */
export function cookieHeader(
  jar: CookieJarLike,
  url: string,
  own: string | null | undefined,
): string | undefined {
  const stored = jar.getCookieStringSync(cookieUrl(url));
  if (stored === '') return own ?? undefined;
  return own ? `${own}; ${stored}` : stored;
}

/**
 * A `fetch` that keeps cookies in `jar`, as a browser does: it sends the jar's cookies for each URL and stores the
 * `Set-Cookie` of every answer, redirects included (followed here, at most 20, as `fetch` does, unless the request
 * asks for `redirect: 'manual'` or `'error'`). Node's `fetch` keeps no cookies; behind a load balancer with sticky
 * sessions (a cookie naming the instance), a Node client needs one so that negotiate and the connection's requests
 * reach the same instance. Pass it as the `fetch` option; Server-Sent Events (`eventsource@4`) use it too, and
 * `nodeWebSocket(WebSocket, { cookieJar })` sends the same jar's cookies on the WebSocket upgrade.
 *
 * @example
 * ```ts
 * import { createHubConnection } from '@hubrx/core';
 * import { cookieFetch, nodeWebSocket } from '@hubrx/core/node';
 * import { EventSource } from 'eventsource';
 * import { CookieJar } from 'tough-cookie';
 * import { WebSocket } from 'ws';
 *
 * const cookieJar = new CookieJar();
 * const connection = createHubConnection({
 *   url: 'https://chat.example.com/hubs/chat',
 *   fetch: cookieFetch(cookieJar),
 *   WebSocket: nodeWebSocket(WebSocket, { cookieJar }),
 *   EventSource,
 * });
 * ```
 */
export function cookieFetch(
  cookieJar: CookieJarLike,
  fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init),
): typeof globalThis.fetch {
  const jar = checkJar(cookieJar, 'cookieFetch()');
  return async (input, init) => {
    const first = input instanceof Request ? input : undefined;
    let url = first?.url ?? (input instanceof URL ? input.href : (input as string));
    let method = (init?.method ?? first?.method ?? 'GET').toUpperCase();
    let body = init?.body ?? first?.body ?? undefined;
    const mode = init?.redirect ?? first?.redirect ?? 'follow';
    const headers = new Headers(first?.headers);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    const own = headers.get('cookie');
    // What stays the same from one hop to the next (method, body and headers are set per hop).
    const { body: _body, method: _method, headers: _headers, ...rest } = init ?? {};
    for (let redirects = 0; ; redirects++) {
      const cookie = cookieHeader(jar, url, own);
      if (cookie === undefined) headers.delete('cookie');
      else headers.set('cookie', cookie);
      const request: RequestInit & { duplex?: 'half' } = {
        ...rest,
        method,
        headers,
        ...(body !== undefined && { body, duplex: 'half' }),
        redirect: 'manual',
      };
      const response = await fetch(url, request);
      storeCookies(jar, url, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (location === null || ![301, 302, 303, 307, 308].includes(response.status) || mode === 'manual') {
        return response;
      }
      if (mode === 'error')
        throw new TypeError(`fetch: ${url} redirected, and the request asked for redirect: 'error'.`);
      if (redirects === MAX_REDIRECTS)
        throw new TypeError(`fetch: more than ${MAX_REDIRECTS} redirects from ${url}.`);
      // What fetch does: 303, and 301/302 after a POST, go on as a GET without a body; 307/308 repeat the request.
      if (
        response.status === 303 ||
        (method === 'POST' && response.status !== 307 && response.status !== 308)
      ) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      } else if (body instanceof ReadableStream) {
        return response; // a streamed body cannot be sent again
      }
      await response.body?.cancel();
      url = new URL(location, url).href;
    }
  };
}
