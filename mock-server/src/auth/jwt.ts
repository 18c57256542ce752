import { JwtError } from '../errors.js';
import { base64UrlDecode, base64UrlEncode } from './base64url.js';

/** The claims of a JSON Web Token. Times are seconds since the epoch. */
export interface JwtPayload {
  readonly [claim: string]: unknown;
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
}

/** Signs and verifies HS256 tokens with one shared key, through WebCrypto (Node ≥ 20 and browsers alike). */
export interface Hs256 {
  sign(payload: JwtPayload): Promise<string>;
  /** The token's payload; throws a {@link JwtError} when it is malformed, forged, expired or not yet valid. */
  verify(token: string, nowMs?: number): Promise<JwtPayload>;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const HEADER = base64UrlEncode(utf8.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));

function decodeJson(part: string): Record<string, unknown> | undefined {
  const bytes = base64UrlDecode(part);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(utf8Decoder.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HS256 JSON Web Tokens signed with `key` (its UTF-8 bytes), as ASP.NET Core's JwtBearer validates them with a
 * `SymmetricSecurityKey`: signature and lifetime checked, no clock skew.
 *
 * @example
 * ```ts
 * const jwt = hs256('hubrx-test-signing-key-0123456789abcdef');
 * const token = await jwt.sign({ nameid: 'alice', exp: Math.floor(Date.now() / 1000) + 60 });
 * (await jwt.verify(token)).nameid; // 'alice'
 * ```
 */
export function hs256(key: string): Hs256 {
  const cryptoKey = crypto.subtle.importKey(
    'raw',
    utf8.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );

  return {
    async sign(payload) {
      const body = base64UrlEncode(utf8.encode(JSON.stringify(payload)));
      const signature = await crypto.subtle.sign('HMAC', await cryptoKey, utf8.encode(`${HEADER}.${body}`));
      return `${HEADER}.${body}.${base64UrlEncode(new Uint8Array(signature))}`;
    },

    async verify(token, nowMs = Date.now()) {
      const parts = token.split('.');
      if (parts.length !== 3)
        throw new JwtError('malformed', 'The token is not a JWS compact serialization.');
      const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
      const header = decodeJson(headerPart);
      const payload = decodeJson(payloadPart);
      const signature = base64UrlDecode(signaturePart);
      if (header === undefined || payload === undefined || signature === undefined) {
        throw new JwtError('malformed', 'The token is not valid base64url JSON.');
      }
      if (header.alg !== 'HS256') {
        throw new JwtError('algorithm', `The token's algorithm '${String(header.alg)}' is not HS256.`);
      }
      const valid = await crypto.subtle.verify(
        'HMAC',
        await cryptoKey,
        signature,
        utf8.encode(`${headerPart}.${payloadPart}`),
      );
      if (!valid) throw new JwtError('signature', 'The token signature is invalid.');
      const now = nowMs / 1000;
      // As JwtBearer with RequireExpirationTime (its default): a token without expiry is refused.
      if (typeof payload.exp !== 'number') throw new JwtError('expired', 'The token has no expiration time.');
      if (now >= payload.exp) {
        throw new JwtError('expired', `The token expired at ${new Date(payload.exp * 1000).toISOString()}.`);
      }
      if (typeof payload.nbf === 'number' && now < payload.nbf) {
        throw new JwtError(
          'not-yet-valid',
          `The token is not valid before ${new Date(payload.nbf * 1000).toISOString()}.`,
        );
      }
      return payload;
    },
  };
}
