import { parseHandshakeRequest, type HubProtocol } from '@hubrx/core';
import * as text from '../hub/error-messages.js';

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
  let request: { protocol: string; version: number };
  let remaining: string | Uint8Array | undefined;
  try {
    ({ message: request, remaining } = parseHandshakeRequest(combined));
  } catch (error) {
    return { kind: 'refused', error: text.handshake.unexpected(error, rules.detailedErrors) };
  }
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
