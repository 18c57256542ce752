import { jsonHubProtocol, type HubProtocol, type JsonHubProtocolOptions } from '@hubrx/core';

/**
 * JSON written as ASP.NET Core writes it (System.Text.Json with `UnsafeRelaxedJsonEscaping`), so the mock's bytes
 * match the reference server's: HTML characters (`<`, `>`, `&`, `'`) and accented letters stay literal, while
 * control, format and private-use characters, U+2028/U+2029, unassigned code points and every character outside
 * the BMP (as its two surrogates) are escaped as `\uXXXX` with upper-case hex. Short escapes for `\b \t \n \f \r`.
 */

const ESCAPED_BMP = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;
const SHORT: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};
// Quotes, backslashes, characters to escape, and anything outside the BMP (code points above U+FFFF).
const NEEDS_WORK = /["\\\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Cs}\u{10000}-\u{10ffff}]/u;

function hex(code: number): string {
  return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function quote(text: string): string {
  if (!NEEDS_WORK.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const short = SHORT[code];
    if (short !== undefined) out += short;
    else if (code >= 0xd800 && code <= 0xdfff) out += hex(code);
    else if (code < 0x20 || ESCAPED_BMP.test(text[i]!)) out += hex(code);
    else out += text[i];
  }
  return `${out}"`;
}

function write(value: unknown, inArray: boolean): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return inArray ? 'null' : undefined;
    default:
      break;
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return write(withJson.toJSON(), inArray);
  if (Array.isArray(value)) return `[${value.map((item) => write(item, true)).join(',')}]`;
  if (value instanceof Uint8Array) {
    // byte[] as System.Text.Json writes it: base64.
    let binary = '';
    for (const byte of value) binary += String.fromCharCode(byte);
    return `"${btoa(binary)}"`;
  }
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const written = write(item, false);
    if (written !== undefined) parts.push(`${quote(key)}:${written}`);
  }
  return `{${parts.join(',')}}`;
}

/** `JSON.stringify`, with System.Text.Json's escaping. */
export function dotnetStringify(value: unknown): string {
  return write(value, false) ?? 'null';
}

/**
 * The JSON hub protocol, writing as ASP.NET Core does (reading is the ordinary one). A custom `replacer` keeps
 * `JSON.stringify`: it is the user's say over how values are written.
 */
export function dotnetJsonHubProtocol(options: JsonHubProtocolOptions = {}): HubProtocol {
  const base = jsonHubProtocol(options);
  if (options.replacer !== undefined) return base;
  return { ...base, write: (message) => dotnetStringify(message) + '\x1e' };
}

/** A handshake response as ASP.NET Core writes it. */
export function handshakeResponse(error?: string): string {
  return (error === undefined ? '{}' : `{"error":${dotnetStringify(error)}}`) + '\x1e';
}
