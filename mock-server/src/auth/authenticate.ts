import { JwtError } from '../errors.js';
import type { HubUser } from '../hub/types.js';
import { hs256, type Hs256, type JwtPayload } from './jwt.js';

/** The key the test hub signs with: ASP.NET Core's reference server in `test/` uses the same. */
export const TEST_SIGNING_KEY = 'hubrx-test-signing-key-0123456789abcdef';

const NAME_IDENTIFIER = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';

/** Authentication settings of the mock server. */
export interface AuthOptions {
  /** The HS256 key tokens are signed and checked with (UTF-8 bytes). Default {@link TEST_SIGNING_KEY}. */
  readonly signingKey?: string;
  /**
   * Answer 401 to a request that presents an invalid or expired token even where no token is required (the
   * reference server does; plain ASP.NET Core would treat the caller as anonymous). Default `true`: a client
   * holding a stale token learns it at once.
   */
  readonly rejectInvalidTokens?: boolean;
  /**
   * The audiences a token must name in its `aud` claim (a string or an array), as JwtBearer's `ValidAudiences`;
   * unset, `aud` is not checked. Azure SignalR Service, for instance, takes only tokens made for its client URL.
   */
  readonly audience?: string | readonly string[];
}

export type Authentication =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly user: HubUser }
  | { readonly kind: 'invalid'; readonly error: JwtError };

/** The caller's user id from a token's claims: `nameid`, its long claim-type form, or `sub`. */
export function userFromClaims(claims: JwtPayload): HubUser {
  const id = claims.nameid ?? claims[NAME_IDENTIFIER] ?? claims.sub;
  return { id: typeof id === 'string' ? id : undefined, claims };
}

/** The bearer token of a request: the `Authorization: Bearer` header, else the `access_token` query. */
export function bearerToken(request: Request, url: URL): string | undefined {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    if (match !== null) return match[1];
  }
  const query = url.searchParams.get('access_token');
  return query === null || query === '' ? undefined : query;
}

export class Authenticator {
  readonly jwt: Hs256;
  readonly rejectInvalidTokens: boolean;
  readonly audiences: readonly string[] | undefined;

  constructor(options: AuthOptions = {}) {
    this.jwt = hs256(options.signingKey ?? TEST_SIGNING_KEY);
    this.rejectInvalidTokens = options.rejectInvalidTokens ?? true;
    this.audiences = options.audience === undefined ? undefined : [options.audience].flat();
  }

  async authenticate(request: Request, url: URL): Promise<Authentication> {
    const token = bearerToken(request, url);
    if (token === undefined) return { kind: 'anonymous' };
    try {
      const claims = await this.jwt.verify(token);
      if (this.audiences !== undefined) {
        const named = [claims.aud].flat();
        if (!named.some((aud) => typeof aud === 'string' && this.audiences!.includes(aud))) {
          throw new JwtError(
            'audience',
            `The token's audience ${JSON.stringify(claims.aud ?? null)} is not valid here.`,
          );
        }
      }
      return { kind: 'user', user: userFromClaims(claims) };
    } catch (error) {
      if (error instanceof JwtError) return { kind: 'invalid', error };
      throw error;
    }
  }

  /**
   * Issues a token for `user`, valid for `expiresInSeconds` (the test hub's `/generateJwtToken`): the reference
   * server's exact format, `{"sub":user,"iat":now,"exp":now+N}`, so either server accepts the other's tokens.
   */
  issue(user: string, expiresInSeconds: number, extraClaims: JwtPayload = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.jwt.sign({ sub: user, iat: now, exp: now + expiresInSeconds, ...extraClaims });
  }
}

/** JwtBearer's challenge: 401, `WWW-Authenticate: Bearer` (with the reason when a token was refused), no body. */
export function challenge(error?: JwtError): Response {
  const description = error?.message.replaceAll('"', "'");
  return new Response(null, {
    status: 401,
    headers: {
      'WWW-Authenticate':
        error === undefined ? 'Bearer' : `Bearer error="invalid_token", error_description="${description}"`,
    },
  });
}

/** An authenticated caller the endpoint refuses: 403, no body. */
export function forbidden(): Response {
  return new Response(null, { status: 403 });
}
