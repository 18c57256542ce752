import { ProtocolError } from '../errors.js';
import { decodeUtf8, RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './record-separator.js';

/** The first message a client sends: which hub protocol it will speak. Always JSON + 0x1E. */
export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

/** The server's answer to the handshake: an `error` when it refuses the protocol. Always JSON + 0x1E. */
export interface HandshakeResponse {
  readonly error?: string;
}

/**
 * A parsed handshake message and what followed it in the same frame: hub messages that the peer sent right
 * after the handshake, as text or bytes depending on the frame (a view, not a copy), or `undefined`.
 */
export interface HandshakeParseResult<T> {
  readonly message: T;
  readonly remaining: string | Uint8Array | undefined;
}

function fail(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError(message, { protocol: 'handshake', cause });
}

function splitHandshake(data: string | ArrayBuffer | Uint8Array): {
  json: string;
  remaining: string | Uint8Array | undefined;
} {
  if (typeof data === 'string') {
    const end = data.indexOf(RECORD_SEPARATOR);
    if (end === -1) throw fail('Incomplete handshake message: no record separator (0x1E).');
    return { json: data.slice(0, end), remaining: end + 1 < data.length ? data.slice(end + 1) : undefined };
  }
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const end = bytes.indexOf(RECORD_SEPARATOR_CODE);
  if (end === -1) throw fail('Incomplete handshake message: no record separator (0x1E).');
  let json: string;
  try {
    json = decodeUtf8(bytes.subarray(0, end));
  } catch (cause) {
    throw fail('Handshake message is not valid UTF-8.', cause);
  }
  return { json, remaining: end + 1 < bytes.length ? bytes.subarray(end + 1) : undefined };
}

function parseObject(json: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw fail(`Malformed handshake message: ${(cause as Error).message}`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('A handshake message must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/**
 * Writes the client's handshake request.
 *
 * @example
 * ```ts
 * writeHandshakeRequest({ protocol: 'json', version: 2 }); // '{"protocol":"json","version":2}\x1e'
 * ```
 */
export function writeHandshakeRequest(request: HandshakeRequest): string {
  return JSON.stringify({ protocol: request.protocol, version: request.version }) + RECORD_SEPARATOR;
}

/**
 * Reads a client's handshake request (server side) and whatever followed it in the frame.
 *
 * @example
 * ```ts
 * const { message, remaining } = parseHandshakeRequest('{"protocol":"json","version":2}\x1e');
 * // message: { protocol: 'json', version: 2 }, remaining: undefined
 * ```
 */
export function parseHandshakeRequest(
  data: string | ArrayBuffer | Uint8Array,
): HandshakeParseResult<HandshakeRequest> {
  const { json, remaining } = splitHandshake(data);
  const value = parseObject(json);
  if (typeof value.protocol !== 'string') {
    throw fail("Handshake request: missing or invalid 'protocol' (expected a string).");
  }
  if (typeof value.version !== 'number' || !Number.isInteger(value.version)) {
    throw fail("Handshake request: missing or invalid 'version' (expected an integer).");
  }
  return { message: { protocol: value.protocol, version: value.version }, remaining };
}

/**
 * Writes the server's handshake response: `{}` on success, `{"error":"..."}` on refusal.
 *
 * @example
 * ```ts
 * writeHandshakeResponse({}); // '{}\x1e'
 * ```
 */
export function writeHandshakeResponse(response: HandshakeResponse): string {
  return (response.error === undefined ? '{}' : JSON.stringify({ error: response.error })) + RECORD_SEPARATOR;
}

/**
 * Reads the server's handshake response (client side). It can arrive as text or bytes (a MessagePack connection
 * receives it in a binary frame) and be followed by hub messages in the same frame, returned as `remaining`.
 *
 * @example
 * ```ts
 * const { message, remaining } = parseHandshakeResponse('{}\x1e{"type":6}\x1e');
 * // message: {}, remaining: '{"type":6}\x1e'
 * ```
 */
export function parseHandshakeResponse(
  data: string | ArrayBuffer | Uint8Array,
): HandshakeParseResult<HandshakeResponse> {
  const { json, remaining } = splitHandshake(data);
  const value = parseObject(json);
  // A hub message where the handshake response belongs: the server does not speak the handshake we expect.
  if (value.type !== undefined)
    throw fail('Expected a handshake response from the server, got a hub message.');
  const error = value.error;
  if (error === undefined || error === null) return { message: {}, remaining };
  if (typeof error !== 'string') throw fail("Handshake response: invalid 'error' (expected a string).");
  return { message: { error }, remaining };
}
