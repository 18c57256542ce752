import type { TransportName } from '../hub/types.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Endpoint } from './http-connection.js';

const TRANSFER_FORMATS: Readonly<Record<TransportName, readonly string[]>> = {
  WebSockets: ['Text', 'Binary'],
  ServerSentEvents: ['Text'],
  LongPolling: ['Text', 'Binary'],
};
const ORDER: readonly TransportName[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];
/** The highest negotiate version ASP.NET Core speaks. */
const MAX_NEGOTIATE_VERSION = 1;

/** A query value by case-insensitive key, as ASP.NET Core's query collection reads them. */
export function queryValue(url: URL, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function json(body: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': String(new TextEncoder().encode(body).length),
    },
  });
}

export function negotiateError(error: string): Response {
  return json(JSON.stringify({ error }));
}

/** A redirect answer: the client negotiates again at `url`, with `accessToken` when given. */
export function negotiateRedirect(url: string, accessToken?: string): Response {
  return json(JSON.stringify(accessToken === undefined ? { url } : { url, accessToken }));
}

/**
 * Answers `POST {hub}/negotiate` (after authorization): picks the negotiate version, grants stateful reconnect
 * when both sides want it, creates the connection and writes the response in ASP.NET Core's field order.
 */
export function negotiate(
  url: URL,
  endpoint: Endpoint,
  manager: ConnectionManager,
  minimumVersion: number,
): Response {
  const requested = queryValue(url, 'negotiateVersion');
  let version = 0;
  if (requested !== undefined) {
    // int.TryParse: an integer that fits 32 bits, or it is not an integer at all.
    const parsed = /^\s*[+-]?\d+\s*$/.test(requested) ? Number.parseInt(requested, 10) : Number.NaN;
    if (!(parsed >= -0x80000000 && parsed <= 0x7fffffff)) {
      return negotiateError('The client requested a non-integer protocol version.');
    }
    version = parsed;
  }
  if (version < minimumVersion) {
    return negotiateError(
      `The client requested version '${version}', but the server does not support this version.`,
    );
  }
  version = Math.min(version, MAX_NEGOTIATE_VERSION);
  const stateful =
    endpoint.allowStatefulReconnects &&
    queryValue(url, 'useStatefulReconnect')?.trim().toLowerCase() === 'true';
  const connection = manager.create(endpoint, version, stateful);
  const transports = ORDER.filter((name) => endpoint.transports.includes(name)).map(
    (transport) =>
      `{"transport":"${transport}","transferFormats":${JSON.stringify(TRANSFER_FORMATS[transport])}}`,
  );
  const body =
    '{' +
    (stateful ? '"useStatefulReconnect":true,' : '') +
    `"negotiateVersion":${version},` +
    `"connectionId":"${connection.connectionId}",` +
    (version > 0 ? `"connectionToken":"${connection.token}",` : '') +
    `"availableTransports":[${transports.join(',')}]}`;
  return json(body);
}
