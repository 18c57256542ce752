import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { MockServerError } from '../errors.js';

/** Folders served as static files, by URL prefix: `{ '/': 'site', '/react/': 'examples/chat/react/dist' }`. */
export type StaticMounts = Readonly<Record<string, string>>;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

interface Mount {
  readonly prefix: string;
  readonly root: string;
}

function mountsOf(mounts: StaticMounts): Mount[] {
  return Object.entries(mounts)
    .map(([prefix, dir]) => {
      if (!prefix.startsWith('/'))
        throw new MockServerError(`Static prefixes must start with '/': '${prefix}'.`);
      return { prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, root: resolve(dir) };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The file's path under `root` for the URL path below the mount, or `undefined` if it would leave `root`. */
function fileUnder(root: string, rest: string): string | undefined {
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '' || segment === '.') continue;
    if (segment === '..' || /[\\/\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  const path = join(root, ...segments);
  return path === root || path.startsWith(root + sep) ? path : undefined;
}

const redirect = (location: string) => new Response(null, { status: 301, headers: { Location: location } });

/**
 * Serves files from folders by URL prefix (GET and HEAD): `index.html` for a folder, a redirect to add the
 * trailing slash of a folder, `ETag` / `If-None-Match`, `Cache-Control: no-cache`. Answers `undefined` for paths
 * no mount covers or files that do not exist, so that the server answers 404. Never serves outside its folders.
 */
export function staticFiles(mounts: StaticMounts): (request: Request) => Promise<Response | undefined> {
  const list = mountsOf(mounts);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const url = new URL(request.url);
    const path = url.pathname;
    for (const { prefix, root } of list) {
      if (path === prefix.slice(0, -1) && prefix !== '/') return redirect(`${prefix}${url.search}`);
      if (!path.startsWith(prefix)) continue;
      const file = fileUnder(root, path.slice(prefix.length));
      if (file === undefined) return undefined;
      let info = await stat(file).catch(() => undefined);
      let target = file;
      if (info?.isDirectory()) {
        if (!path.endsWith('/')) return redirect(`${path}/${url.search}`);
        target = join(file, 'index.html');
        info = await stat(target).catch(() => undefined);
      }
      if (info === undefined || !info.isFile()) continue;
      const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      const headers = {
        'Content-Type': TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        ETag: etag,
      };
      if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
      // HEAD: an empty body that keeps the Content-Length (Node sends no body for HEAD).
      const body = request.method === 'HEAD' ? '' : new Uint8Array(await readFile(target));
      return new Response(body, { headers: { ...headers, 'Content-Length': String(info.size) } });
    }
    return undefined;
  };
}
