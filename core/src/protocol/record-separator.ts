/** The ASCII record separator that terminates every JSON hub message and every handshake message. */
export const RECORD_SEPARATOR = '\x1e';
export const RECORD_SEPARATOR_CODE = 0x1e;

// `fatal`: a peer sending invalid UTF-8 gets a ProtocolError instead of silently mangled text. `ignoreBOM`: a
// leading U+FEFF is kept, so bytes read as the same text would (JSON, and ASP.NET Core's reader, refuse it).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 bytes; throws a `TypeError` on invalid UTF-8 (callers wrap it in a `ProtocolError`). */
export function decodeUtf8(data: ArrayBuffer | Uint8Array): string {
  return utf8.decode(data);
}
