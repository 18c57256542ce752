import { ProtocolError } from '../errors.js';
import { parseHandshakeResponse } from '../protocol/handshake.js';
import { RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from '../protocol/record-separator.js';

/** A text frame cut in the middle of a record waits for the rest, up to this many characters. */
const MAX_PARTIAL_LENGTH = 64 * 1024 * 1024;

/**
 * Completes text frames that end in the middle of a record (a proxy may cut them; the official client fails
 * then): returns the complete records and keeps the rest for the next frame. A frame that ends on a record
 * separator, the normal case, passes through untouched.
 */
export class TextFrames {
  #partial = '';

  /** The complete records so far (`''` if none yet). Throws a `ProtocolError` when the rest grows too long. */
  complete(data: string): string {
    if (this.#partial === '' && data.charCodeAt(data.length - 1) === RECORD_SEPARATOR_CODE) return data;
    const text = this.#partial + data;
    const end = text.lastIndexOf(RECORD_SEPARATOR);
    this.#partial = text.slice(end + 1);
    if (this.#partial.length > MAX_PARTIAL_LENGTH) {
      this.#partial = '';
      throw new ProtocolError('A text frame exceeded 64 Mi characters without a record separator.', {
        protocol: 'json',
      });
    }
    return end === -1 ? '' : text.slice(0, end + 1);
  }
}

/**
 * Reads the server's handshake response at the start of a frame and returns what followed it in the frame (hub
 * messages, or `undefined`). Throws a `ProtocolError` when the server refused the handshake or sent garbage.
 */
export function readHandshake(data: string | ArrayBuffer | Uint8Array): string | Uint8Array | undefined {
  const { message, remaining } = parseHandshakeResponse(data);
  if (message.error !== undefined) {
    throw new ProtocolError(`The server refused the handshake: ${message.error}`, { protocol: 'handshake' });
  }
  return remaining;
}
