import { ExtensionCodec, type ExtensionCodecType } from '@msgpack/msgpack';
import { ProtocolError } from '../errors.js';
import { asciiString, MAX_CACHED_LENGTH, StringCache } from './string-cache.js';

/** Decoding options; the names and meanings are those of `@msgpack/msgpack`'s `DecoderOptions`. */
export interface MessagePackReadOptions {
  /** Decoders for extension types. Default: `@msgpack/msgpack`'s (timestamp `-1` becomes a `Date`). */
  readonly extensionCodec?: ExtensionCodecType<undefined>;
  /** Read int64 / uint64 as `bigint` instead of (possibly imprecise) numbers. */
  readonly useBigInt64?: boolean;
  /** Deepest nesting of arrays and maps accepted (default 500, as MessagePack-CSharp). */
  readonly maxDepth?: number;
  readonly maxStrLength?: number;
  readonly maxBinLength?: number;
  readonly maxArrayLength?: number;
  readonly maxMapLength?: number;
  readonly maxExtLength?: number;
}

const EMPTY = new Uint8Array(0);
const UINT32_MAX = 0xffffffff;
// Up to this length, ASCII strings are built in JS: TextDecoder's call overhead dominates short strings.
const SHORT_STRING = 64;
// `ignoreBOM`: a string's leading U+FEFF is data, not a byte order mark; the default decoder would drop it.
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
let sharedCache: StringCache | undefined;

function fail(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError(message, { protocol: 'messagepack', cause });
}

/**
 * A recursive-descent MessagePack reader over one frame. Values are read straight from the frame: strings are
 * decoded in place, `bin` values are views of the frame (no copy), extension types go to `@msgpack/msgpack`'s
 * `ExtensionCodec`.
 *
 * Every length is checked against the bytes left before anything is allocated, and a container's against the
 * bytes left *after* the values its enclosing containers still expect (at least a byte each): nested headers that
 * each announce nearly the whole frame are refused at the second, not allocated at every level. So the array slots
 * allocated for a message never outnumber its bytes (each filled slot's value starts at a byte of its own; the
 * slots still empty are no more than the bytes left), and the work is linear in its size whatever it announces.
 */
export class MessagePackReader {
  private bytes: Uint8Array = EMPTY;
  private view: DataView | undefined;
  pos = 0;
  private end = 0;
  private readonly extensionCodec: ExtensionCodecType<undefined>;
  private readonly useBigInt64: boolean;
  private readonly maxDepth: number;
  private readonly maxStrLength: number;
  private readonly maxBinLength: number;
  private readonly maxArrayLength: number;
  private readonly maxMapLength: number;
  private readonly maxExtLength: number;
  private readonly cache: StringCache;

  constructor(options: MessagePackReadOptions = {}) {
    this.extensionCodec = options.extensionCodec ?? ExtensionCodec.defaultCodec;
    this.useBigInt64 = options.useBigInt64 ?? false;
    this.maxDepth = options.maxDepth ?? 500;
    this.maxStrLength = options.maxStrLength ?? UINT32_MAX;
    this.maxBinLength = options.maxBinLength ?? UINT32_MAX;
    this.maxArrayLength = options.maxArrayLength ?? UINT32_MAX;
    this.maxMapLength = options.maxMapLength ?? UINT32_MAX;
    this.maxExtLength = options.maxExtLength ?? UINT32_MAX;
    // Shared by every reader: targets and keys recur across connections too. Created on first use.
    this.cache = sharedCache ??= new StringCache();
  }

  /** Points the reader at `bytes[start, end)`. */
  reset(bytes: Uint8Array, start: number, end: number): void {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = undefined;
    }
    this.pos = start;
    this.end = end;
  }

  /** Drops the reference to the last frame so that it can be collected. */
  release(): void {
    this.bytes = EMPTY;
    this.view = undefined;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private dataView(): DataView {
    return (this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  private need(count: number): number {
    const at = this.pos;
    if (count > this.end - at) throw fail('Truncated MessagePack value: the message ends inside it.');
    this.pos = at + count;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)]!;
  }

  private u16(): number {
    const at = this.need(2);
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }

  private u32(): number {
    return this.dataView().getUint32(this.need(4));
  }

  /** Reads an array header; `undefined` when the next value is not an array. */
  readArrayHeader(): number | undefined {
    if (this.pos >= this.end) throw fail('Truncated MessagePack value: the message ends inside it.');
    const head = this.bytes[this.pos]!;
    let size: number;
    if (head >= 0x90 && head <= 0x9f) {
      this.pos++;
      size = head - 0x90;
    } else if (head === 0xdc) {
      this.pos++;
      size = this.u16();
    } else if (head === 0xdd) {
      this.pos++;
      size = this.u32();
    } else {
      return undefined;
    }
    if (size > this.remaining) throw fail(`Truncated MessagePack array: ${size} elements announced.`);
    return size;
  }

  /** True and consumed when the next value is `nil`. */
  readNil(): boolean {
    if (this.pos < this.end && this.bytes[this.pos] === 0xc0) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** True and consumed when the next value is an empty map (the usual, header-less `0x80`). */
  readEmptyMap(): boolean {
    if (this.pos < this.end && this.bytes[this.pos] === 0x80) {
      this.pos++;
      return true;
    }
    return false;
  }

  /**
   * Reads any value. `owed`: how many values the enclosing containers still expect after this one (at least a
   * byte each), which a nested array or map must leave room for.
   */
  read(depth = 0, owed = 0): unknown {
    if (this.pos >= this.end) throw fail('Truncated MessagePack value: the message ends inside it.');
    const head = this.bytes[this.pos++]!;
    if (head < 0x80) return head;
    if (head >= 0xe0) return head - 0x100;
    if (head < 0x90) return this.readMap(head - 0x80, depth, owed);
    if (head < 0xa0) return this.readArray(head - 0x90, depth, owed);
    if (head < 0xc0) return this.readString(head - 0xa0);
    switch (head) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.readBinary(this.u8());
      case 0xc5:
        return this.readBinary(this.u16());
      case 0xc6:
        return this.readBinary(this.u32());
      case 0xc7:
        return this.readExtension(this.u8());
      case 0xc8:
        return this.readExtension(this.u16());
      case 0xc9:
        return this.readExtension(this.u32());
      case 0xca:
        return this.dataView().getFloat32(this.need(4));
      case 0xcb:
        return this.dataView().getFloat64(this.need(8));
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        const at = this.need(8);
        const view = this.dataView();
        if (this.useBigInt64) return view.getBigUint64(at);
        return view.getUint32(at) * 0x1_0000_0000 + view.getUint32(at + 4);
      }
      case 0xd0:
        return (this.u8() << 24) >> 24;
      case 0xd1:
        return (this.u16() << 16) >> 16;
      case 0xd2:
        return this.dataView().getInt32(this.need(4));
      case 0xd3: {
        const at = this.need(8);
        const view = this.dataView();
        if (this.useBigInt64) return view.getBigInt64(at);
        return view.getInt32(at) * 0x1_0000_0000 + view.getUint32(at + 4);
      }
      case 0xd4:
        return this.readExtension(1);
      case 0xd5:
        return this.readExtension(2);
      case 0xd6:
        return this.readExtension(4);
      case 0xd7:
        return this.readExtension(8);
      case 0xd8:
        return this.readExtension(16);
      case 0xd9:
        return this.readString(this.u8());
      case 0xda:
        return this.readString(this.u16());
      case 0xdb:
        return this.readString(this.u32());
      case 0xdc:
        return this.readArray(this.u16(), depth, owed);
      case 0xdd:
        return this.readArray(this.u32(), depth, owed);
      case 0xde:
        return this.readMap(this.u16(), depth, owed);
      case 0xdf:
        return this.readMap(this.u32(), depth, owed);
      default:
        throw fail(`Invalid MessagePack type byte 0x${head.toString(16)}.`);
    }
  }

  /** Reads a string value; `undefined` when the next value is not a string (nothing consumed then). */
  readStringValue(): string | undefined {
    if (this.pos >= this.end) return undefined;
    const head = this.bytes[this.pos]!;
    if (head >= 0xa0 && head <= 0xbf) {
      this.pos++;
      return this.readString(head - 0xa0);
    }
    if (head === 0xd9 || head === 0xda || head === 0xdb) {
      this.pos++;
      return this.readString(head === 0xd9 ? this.u8() : head === 0xda ? this.u16() : this.u32());
    }
    return undefined;
  }

  private readString(length: number): string {
    if (length > this.maxStrLength) throw fail(`MessagePack string of ${length} bytes exceeds maxStrLength.`);
    const start = this.need(length);
    const bytes = this.bytes;
    if (length <= MAX_CACHED_LENGTH) {
      const cached = this.cache.get(bytes, start, length);
      if (cached !== undefined) return cached;
    } else if (length <= SHORT_STRING) {
      let high = 0;
      for (let i = start, end = start + length; i < end; i++) high |= bytes[i]!;
      if (high < 0x80) return asciiString(bytes, start, length);
    }
    // Non-ASCII or long: TextDecoder, which also replaces invalid UTF-8 (as @msgpack/msgpack does).
    return textDecoder.decode(bytes.subarray(start, start + length));
  }

  private readBinary(length: number): Uint8Array {
    if (length > this.maxBinLength) throw fail(`MessagePack bin of ${length} bytes exceeds maxBinLength.`);
    const start = this.need(length);
    return this.bytes.subarray(start, start + length);
  }

  private readExtension(length: number): unknown {
    if (length > this.maxExtLength) throw fail(`MessagePack ext of ${length} bytes exceeds maxExtLength.`);
    const type = (this.u8() << 24) >> 24;
    const start = this.need(length);
    try {
      return this.extensionCodec.decode(this.bytes.subarray(start, start + length), type, undefined);
    } catch (cause) {
      throw fail(`Cannot decode MessagePack extension type ${type}: ${(cause as Error).message}`, cause);
    }
  }

  private readArray(size: number, depth: number, owed: number): unknown[] {
    if (size > this.maxArrayLength)
      throw fail(`MessagePack array of ${size} elements exceeds maxArrayLength.`);
    // Each element takes at least a byte, and so does each value still owed to the enclosing containers: refuse
    // before allocating for a size the message cannot hold.
    if (size + owed > this.end - this.pos) throw this.overflow('array', size, 'elements', owed);
    if (depth >= this.maxDepth) throw fail(`MessagePack value nested deeper than ${this.maxDepth}.`);
    const array = new Array<unknown>(size);
    const next = depth + 1;
    // `left`: the values owed after element i, this array's later elements included.
    for (let i = 0, left = owed + size - 1; i < size; i++, left--) array[i] = this.read(next, left);
    return array;
  }

  private readMap(size: number, depth: number, owed: number): Record<string, unknown> {
    if (size > this.maxMapLength) throw fail(`MessagePack map of ${size} entries exceeds maxMapLength.`);
    if (size * 2 + owed > this.end - this.pos) throw this.overflow('map', size, 'entries', owed);
    if (depth >= this.maxDepth) throw fail(`MessagePack value nested deeper than ${this.maxDepth}.`);
    const map: Record<string, unknown> = {};
    const next = depth + 1;
    for (let i = 0, left = owed + size * 2 - 2; i < size; i++, left -= 2) {
      const key = this.readStringValue() ?? this.read(next, left + 1);
      if (typeof key !== 'string' && typeof key !== 'number') {
        throw fail(
          `MessagePack map keys must be strings or numbers, got ${key === null ? 'nil' : typeof key}.`,
        );
      }
      // Assigning '__proto__' would replace the object's prototype instead of adding a key.
      if (key === '__proto__') throw fail("MessagePack map key '__proto__' is not allowed.");
      map[key] = this.read(next, left);
    }
    return map;
  }

  private overflow(kind: string, size: number, unit: string, owed: number): ProtocolError {
    const left = this.end - this.pos;
    const context =
      owed === 0 ? '' : ` (of ${left}: the enclosing arrays and maps still expect ${owed} values)`;
    return fail(
      `Truncated MessagePack ${kind}: ${size} ${unit} announced but only ${left - owed} bytes left for them${context}.`,
    );
  }
}
