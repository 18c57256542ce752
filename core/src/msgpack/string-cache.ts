/**
 * Short ASCII strings recur in hub messages: targets, map keys (`Name`, `Value`), user names, enum-like values.
 * Returning the string decoded last time for the same bytes saves the allocation, and since a cached string has
 * already been used as a property key it is internalized, which makes building maps from it much cheaper.
 *
 * Direct-mapped: a slot per hash, the latest string wins; no eviction bookkeeping on the hot path.
 */

const SLOTS = 4096; // power of two
const SLOT_BITS = 12;
/** Longest string cached, in bytes. */
export const MAX_CACHED_LENGTH = 16;

export class StringCache {
  private readonly strings = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly lengths = new Uint8Array(SLOTS);
  private readonly stored = new Uint8Array(SLOTS * MAX_CACHED_LENGTH);

  /**
   * The string for `bytes[start, start + length)` when they are ASCII (`length` ≤ {@link MAX_CACHED_LENGTH}),
   * `undefined` otherwise (the caller decodes UTF-8 itself).
   */
  get(bytes: Uint8Array, start: number, length: number): string | undefined {
    const end = start + length;
    let hash = 0x811c9dc5 ^ length;
    let high = 0;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      high |= byte;
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    if (high >= 0x80) return undefined;
    const slot = hash >>> (32 - SLOT_BITS);
    const base = slot * MAX_CACHED_LENGTH;
    const stored = this.stored;
    if (this.lengths[slot] === length) {
      let i = 0;
      while (i < length && stored[base + i] === bytes[start + i]) i++;
      if (i === length) return this.strings[slot]!;
    }
    const string = asciiString(bytes, start, length);
    for (let i = 0; i < length; i++) stored[base + i] = bytes[start + i]!;
    this.lengths[slot] = length;
    this.strings[slot] = string;
    return string;
  }
}

/** Builds a string from ASCII bytes (the caller has checked they are ASCII). */
export function asciiString(bytes: Uint8Array, start: number, length: number): string {
  // A plain array of char codes is much faster to spread into fromCharCode than a typed-array view.
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = bytes[start + i]!;
  return String.fromCharCode.apply(null, codes);
}
