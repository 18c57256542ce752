import { ProtocolError } from '../errors.js';

/** The largest message body the length prefix can announce: 2 GB − 1 (`FF FF FF FF 07`). */
export const MAX_BINARY_MESSAGE_SIZE = 0x7fffffff;

/** How many bytes the VarInt length prefix of a body of `size` bytes takes (1 to 5). */
export function varintSize(size: number): number {
  return size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5;
}

/** Writes `size` as a VarInt (least significant 7-bit group first) at `offset`; returns the offset after it. */
export function writeVarint(target: Uint8Array, offset: number, size: number): number {
  let value = size;
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  target[offset++] = value;
  return offset;
}

/** Where the body of the next message lies in a frame; filled in by {@link readFrameBody}. */
export interface FrameCursor {
  /** In: where the length prefix starts. Out: where the body starts. */
  start: number;
  /** Out: where the body ends (exclusive), which is also where the next length prefix starts. */
  end: number;
}

function fail(message: string): ProtocolError {
  return new ProtocolError(message, { protocol: 'messagepack' });
}

/**
 * Reads the VarInt length prefix at `cursor.start` and checks that the whole body is in the frame. Mutates the
 * cursor rather than returning a fresh object, since it runs once per message.
 */
export function readFrameBody(bytes: Uint8Array, cursor: FrameCursor): void {
  const total = bytes.length;
  let pos = cursor.start;
  let size = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= total) throw fail('Truncated message length prefix: the frame ends inside the VarInt.');
    byte = bytes[pos++]!;
    // The fifth byte may only carry the top 3 bits of a 31-bit size, and must end the prefix.
    if (shift === 28 && byte > 0x07) {
      throw fail(
        'Message length prefix too large: messages are limited to 2 GB - 1 (at most 5 prefix bytes).',
      );
    }
    size |= (byte & 0x7f) << shift;
    shift += 7;
  } while ((byte & 0x80) !== 0);
  if (size === 0) throw fail('Empty message: the length prefix announces 0 bytes.');
  const end = pos + size;
  if (end > total) {
    throw fail(
      `Incomplete message: the length prefix announces ${size} bytes but only ${total - pos} remain.`,
    );
  }
  cursor.start = pos;
  cursor.end = end;
}
