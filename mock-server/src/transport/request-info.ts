import type { ConnectionRequest } from '../hub/types.js';

function parseCookies(header: string | null): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  if (header === null) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A malformed escape: keep the raw value.
    }
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The parts of an HTTP request a hub can see (`Context.GetHttpContext().Request`). */
export function connectionRequest(request: Request, url: URL): ConnectionRequest {
  return {
    url: request.url,
    headers: request.headers,
    query: url.searchParams,
    cookies: parseCookies(request.headers.get('cookie')),
  };
}
