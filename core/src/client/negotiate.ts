import { HttpError, NegotiateError } from '../errors.js';
import type { AccessTokens } from '../common/access-tokens.js';
import type { Http } from '../common/http.js';

const MAX_REDIRECTS = 100;

/** Negotiate's result: where to connect, and with which transports. */
export interface Negotiation {
  /** The hub URL after redirects. */
  readonly url: string;
  /** `null` with `skipNegotiation`. */
  readonly connectionId: string | null;
  /**
   * The secret that identifies the connection in transport requests (`id=`); the id itself for a v0 server;
   * `null` with `skipNegotiation`.
   */
  readonly connectionToken: string | null;
  /** Transports the server offers, as it lists them (`{ transport: 'WebSockets', transferFormats: ['Text'] }`). */
  readonly transports: readonly OfferedTransport[];
  readonly statefulReconnect: boolean;
}

/** An entry of negotiate's `availableTransports`, unchecked (even `null`): connecting looks for the one it wants. */
export type OfferedTransport =
  { readonly transport?: unknown; readonly transferFormats?: unknown } | null | undefined;

/** `{url}/negotiate?negotiateVersion=1[&useStatefulReconnect=true]`, keeping the URL's own query. */
export function negotiateUrl(base: string, statefulReconnect: boolean): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/?$/, '/negotiate');
  if (!url.searchParams.has('negotiateVersion')) url.searchParams.append('negotiateVersion', '1');
  if (statefulReconnect && !url.searchParams.has('useStatefulReconnect')) {
    url.searchParams.append('useStatefulReconnect', 'true');
  }
  return url.href;
}

/** The transport URL of a connection: the hub URL (its query kept) plus `id=<token>` when negotiated. */
export function connectUrl(base: string, token: string | null): string {
  if (token === null) return base;
  return `${base}${base.includes('?') ? '&' : '?'}id=${encodeURIComponent(token)}`;
}

interface NegotiateBody {
  readonly url?: unknown;
  readonly accessToken?: unknown;
  readonly error?: unknown;
  readonly ProtocolVersion?: unknown;
  readonly negotiateVersion?: unknown;
  readonly connectionId?: unknown;
  readonly connectionToken?: unknown;
  readonly availableTransports?: unknown;
  readonly useStatefulReconnect?: unknown;
}

/**
 * `POST {url}/negotiate`: follows redirects (at most 100; a redirect's `accessToken` replaces the token for the new
 * URL), and refuses `error` answers, old ASP.NET SignalR servers and malformed answers with a `NegotiateError`.
 */
export async function negotiate(
  http: Http,
  tokens: AccessTokens,
  base: string,
  statefulReconnect: boolean,
  signal: AbortSignal,
): Promise<Negotiation> {
  let url = base;
  // A renegotiation (transport fallback) after a redirect starts at `base` again: not with the redirect's token.
  tokens.redirect = undefined;
  for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
    let body: NegotiateBody;
    try {
      const response = await http.send({ method: 'POST', url: negotiateUrl(url, statefulReconnect), signal });
      body = JSON.parse(response.body as string) as NegotiateBody;
    } catch (error) {
      if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
        throw error;
      const statusCode = error instanceof HttpError ? error.statusCode : undefined;
      const hint = statusCode === 404 ? ' Is this a SignalR hub URL?' : '';
      throw new NegotiateError(`Negotiation failed: ${(error as Error).message}.${hint}`, {
        statusCode,
        cause: error,
      });
    }
    if (typeof body !== 'object' || body === null)
      throw new NegotiateError('Negotiation failed: the answer is not a JSON object.');
    if (typeof body.error === 'string') throw new NegotiateError(body.error);
    if (body.ProtocolVersion !== undefined) {
      throw new NegotiateError(
        'This is an ASP.NET SignalR server: hubrx speaks to ASP.NET Core SignalR only.',
      );
    }
    if (typeof body.url === 'string') {
      url = body.url;
      if (typeof body.accessToken === 'string') tokens.redirect = body.accessToken;
      continue;
    }
    const connectionId = body.connectionId;
    // A v0 server identifies connections by their id; from v1 on, by a separate secret token.
    const token =
      typeof body.negotiateVersion === 'number' && body.negotiateVersion >= 1
        ? body.connectionToken
        : connectionId;
    if (
      typeof connectionId !== 'string' ||
      typeof token !== 'string' ||
      !Array.isArray(body.availableTransports)
    ) {
      throw new NegotiateError('Negotiation failed: the answer lacks a connection id or transports.');
    }
    const stateful = body.useStatefulReconnect === true;
    if (stateful && !statefulReconnect) {
      throw new NegotiateError('The server granted stateful reconnect, which the client did not ask for.');
    }
    return {
      url,
      connectionId,
      connectionToken: token,
      transports: body.availableTransports as OfferedTransport[],
      statefulReconnect: stateful,
    };
  }
  throw new NegotiateError(`Negotiation failed: more than ${MAX_REDIRECTS} redirects.`);
}
