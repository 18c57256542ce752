import { base64UrlEncode } from '../auth/base64url.js';

/** A connection id or token as ASP.NET Core makes them: 16 random bytes, base64url, 22 characters. */
export function newConnectionId(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
}
