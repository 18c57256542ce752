import type { HubProtocol } from '@hubrx/core';
import * as text from '../hub/error-messages.js';
import { tokenName } from './json-errors.js';

const utf8 = new TextEncoder();
/** The highest hub protocol version the server speaks (2: Ack and Sequence). */
const MAX_PROTOCOL_VERSION = 2;

/** What the server reads from a client's first data. */
export type HandshakeOutcome =
  | { readonly kind: 'incomplete'; readonly buffered: string | Uint8Array }
  | { readonly kind: 'refused'; readonly error: string }
  | {
      readonly kind: 'accepted';
      readonly protocol: HubProtocol;
      readonly version: number;
      /** Hub messages that came in the same frame as the handshake. */
      readonly remaining: string | Uint8Array | undefined;
    };

export interface HandshakeRules {
  readonly protocols: ReadonlyMap<string, HubProtocol>;
  readonly supportsBinary: boolean;
  readonly maximumSize: number | null;
  readonly detailedErrors: boolean;
  /** An error to refuse this handshake with (test controls), checked after the request parses. */
  readonly rejection: () => string | undefined;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class InvalidData extends Error {
  override readonly name = 'InvalidDataException' as const;
}

class JsonReader extends Error {
  override readonly name = 'JsonReaderException' as const;
}

/**
 * The handshake request, read as ASP.NET Core's `HandshakeProtocol.TryParseRequestMessage` reads it, failing with
 * its exception types and texts (`Missing required property 'protocol'. Message content: ...`).
 */
function parseRequest(
  data: string | Uint8Array,
):
  | { request: { protocol: string; version: number }; remaining: string | Uint8Array | undefined }
  | { error: Error } {
  let json: string;
  let remaining: string | Uint8Array | undefined;
  if (typeof data === 'string') {
    const end = data.indexOf('\x1e');
    json = data.slice(0, end);
    remaining = end + 1 < data.length ? data.slice(end + 1) : undefined;
  } else {
    const end = data.indexOf(0x1e);
    try {
      json = fatalUtf8.decode(data.subarray(0, end));
    } catch (cause) {
      return { error: new JsonReader('The handshake is not valid UTF-8.', { cause }) };
    }
    remaining = end + 1 < data.length ? data.subarray(end + 1) : undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    // System.Text.Json's reader words this differently; the exception type is the same.
    return { error: new JsonReader((cause as Error).message, { cause }) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      error: new InvalidData(`Unexpected JSON Token Type '${tokenName(value)}'. Expected a JSON Object.`),
    };
  }
  const fields = value as Record<string, unknown>;
  if ('protocol' in fields && typeof fields.protocol !== 'string') {
    return { error: new InvalidData("Expected 'protocol' to be of type String.") };
  }
  if ('version' in fields && typeof fields.version !== 'number') {
    return { error: new InvalidData("Expected 'version' to be of type Number.") };
  }
  if (typeof fields.protocol !== 'string') {
    return { error: new InvalidData(`Missing required property 'protocol'. Message content: ${json}`) };
  }
  if (typeof fields.version !== 'number') {
    return { error: new InvalidData(`Missing required property 'version'. Message content: ${json}`) };
  }
  return { request: { protocol: fields.protocol, version: Math.trunc(fields.version) }, remaining };
}

function concat(previous: string | Uint8Array, data: string | Uint8Array): string | Uint8Array {
  if (typeof previous === 'string' && typeof data === 'string') return previous + data;
  const a = typeof previous === 'string' ? utf8.encode(previous) : previous;
  const b = typeof data === 'string' ? utf8.encode(data) : data;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Reads the handshake request as ASP.NET Core's `HubConnectionContext.HandshakeAsync` does, with its error texts:
 * waits for the record separator (up to the message size limit), then checks the protocol (by name,
 * case-insensitively), its version (≤ 2) and whether the transport can carry its format.
 */
export function readHandshake(
  previous: string | Uint8Array | undefined,
  data: string | Uint8Array,
  rules: HandshakeRules,
): HandshakeOutcome {
  const combined = previous === undefined ? data : concat(previous, data);
  const complete = typeof combined === 'string' ? combined.includes('\x1e') : combined.includes(0x1e);
  if (!complete) {
    if (rules.maximumSize !== null && combined.length > rules.maximumSize) {
      return { kind: 'refused', error: text.handshake.canceled };
    }
    return { kind: 'incomplete', buffered: combined };
  }
  const parsed = parseRequest(combined);
  if ('error' in parsed) {
    return { kind: 'refused', error: text.handshake.unexpected(parsed.error, rules.detailedErrors) };
  }
  const { request, remaining } = parsed;
  const rejection = rules.rejection();
  if (rejection !== undefined) return { kind: 'refused', error: rejection };
  const protocol = rules.protocols.get(request.protocol.toLowerCase());
  if (protocol === undefined)
    return { kind: 'refused', error: text.handshake.unsupportedProtocol(request.protocol) };
  if (request.version > MAX_PROTOCOL_VERSION) {
    return { kind: 'refused', error: text.handshake.unsupportedVersion(request.version, request.protocol) };
  }
  if (protocol.transferFormat === 'binary' && !rules.supportsBinary) {
    return { kind: 'refused', error: text.handshake.unsupportedTransferFormat(protocol.name, 'Binary') };
  }
  return { kind: 'accepted', protocol, version: request.version, remaining };
}
