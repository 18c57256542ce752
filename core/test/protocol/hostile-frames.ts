/**
 * MessagePack frames built to make a reader work or allocate far beyond their size: container headers that each
 * announce most of the frame, nested as deep as the depth limit allows; huge str / bin / ext lengths; runs of
 * headers; and the largest valid frames of a kind (to show that what parses also parses in linear time). Used by
 * the hostile-frame tests and by `npm run bench -- hostile`.
 */

export interface HostileFrame {
  readonly name: string;
  /** True when the frame is a valid message that must parse; false when it must be refused. */
  readonly valid: boolean;
  /** One length-prefixed StreamItem message of `size` bytes (one less where the length prefix forces it). */
  readonly build: (size: number) => Uint8Array;
}

/** The reader's default depth limit: nesting up to it reaches the reader's deepest code paths. */
const DEPTH = 500;
/** A StreamItem whose item follows: `[2, {}, 'i', item]`. */
const STREAM_ITEM = [0x94, 0x02, 0x80, 0xa1, 0x69];
const NIL = 0xc0;

function prefixSize(size: number): number {
  return size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5;
}

/** Writes a frame of `size` bytes: the length prefix, the StreamItem's first elements, then what the caller adds. */
class Frame {
  readonly bytes: Uint8Array;
  pos = 0;

  constructor(size: number) {
    const body = size - prefixSize(size);
    this.bytes = new Uint8Array(prefixSize(body) + body);
    let value = body;
    while (value >= 0x80) {
      this.bytes[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.bytes[this.pos++] = value;
    this.push(...STREAM_ITEM);
  }

  /** Bytes left after the write position. */
  get left(): number {
    return this.bytes.length - this.pos;
  }

  push(...values: readonly number[]): this {
    for (const v of values) this.bytes[this.pos++] = v;
    return this;
  }

  u16(head: number, value: number): this {
    return this.push(head, (value >>> 8) & 0xff, value & 0xff);
  }

  u32(head: number, value: number): this {
    return this.push(head, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }

  /** Fills what is left with one byte. */
  fill(value: number): Uint8Array {
    this.bytes.fill(value, this.pos);
    return this.bytes;
  }
}

/** Writes a container header for as many elements or entries as `bytes` could hold. */
type Header = (frame: Frame, bytes: number) => void;
const array16: Header = (f, n) => void f.u16(0xdc, Math.min(n, 0xffff));
const array32: Header = (f, n) => void f.u32(0xdd, n);
// Two bytes an entry at least. The map's first value is the next level, after a one-byte key (the integer 0).
const map16: Header = (f, n) => void f.u16(0xde, Math.min(n >>> 1, 0xffff)).push(0x00);
const map32: Header = (f, n) => void f.u32(0xdf, n >>> 1).push(0x00);

/**
 * Headers nested as deep as the depth limit allows, each announcing as many elements (or entries) as the bytes
 * left after it could hold if nothing else were owed: what a reader checking each length against the bytes left
 * alone accepts. Zeros (fixint 0) fill the rest, so that the deepest level reads to its end and its parent runs
 * out.
 */
function nested(...headers: readonly Header[]) {
  return (size: number): Uint8Array => {
    const f = new Frame(size);
    for (let level = 0; level < DEPTH; level++) {
      // Room for the deeper headers (at most 6 bytes a level); the rest is announced.
      const deeper = (DEPTH - level) * 6;
      if (f.left <= deeper) break;
      headers[level % headers.length]!(f, f.left - deeper);
    }
    return f.fill(0x00);
  };
}

/** A str / bin / ext header announcing `length(bytes left after a 5-byte header)` bytes, then filler. */
function blob(header: (f: Frame, length: number) => void, length: (left: number) => number) {
  return (size: number): Uint8Array => {
    const f = new Frame(size);
    header(f, length(f.left - 5));
    return f.fill(0x61);
  };
}

/** An array32 announcing `count(bytes left)` copies of `element`, written while they fit, then `filler`. */
function run(element: readonly number[], filler: number, count: (left: number) => number) {
  return (size: number): Uint8Array => {
    const f = new Frame(size);
    const n = count(f.left - 5);
    f.u32(0xdd, n);
    for (let i = 0; i < n && f.left >= element.length; i++) f.push(...element);
    return f.fill(filler);
  };
}

/** A valid array32: as many copies of `element` as fit, then nils up to the frame's end. */
function validRun(element: readonly number[]) {
  return (size: number): Uint8Array => {
    const f = new Frame(size);
    const left = f.left - 5;
    const n = Math.floor(left / element.length);
    f.u32(0xdd, n + (left - n * element.length));
    for (let i = 0; i < n; i++) f.push(...element);
    return f.fill(NIL);
  };
}

/** A valid map32 of scattered uint32 keys (which make the object's elements a dictionary) to small values. */
function scatteredKeys(size: number): Uint8Array {
  const f = new Frame(size);
  const left = f.left - 5;
  const n = Math.floor(left / 6);
  f.u32(0xdf, n);
  // The bytes a whole entry cannot use lengthen the first values: uint8 (+1 byte), uint16 (+2), uint32 (+4).
  let extra = left - n * 6;
  for (let i = 0; i < n; i++) {
    f.u32(0xce, Math.imul(i + 1, 0x9e3779b1) >>> 0);
    const grow = extra >= 4 ? 4 : extra >= 2 ? 2 : extra;
    extra -= grow;
    if (grow === 4) f.u32(0xce, 7);
    else if (grow === 2) f.u16(0xcd, 7);
    else if (grow === 1) f.push(0xcc, 7);
    else f.push(NIL);
  }
  return f.bytes;
}

const FOUR_GB = () => 0xffffffff;

export const hostileFrames: readonly HostileFrame[] = [
  { name: 'nested array16 headers', valid: false, build: nested(array16) },
  { name: 'nested array32 headers', valid: false, build: nested(array32) },
  { name: 'nested map16 headers', valid: false, build: nested(map16) },
  { name: 'nested map32 headers', valid: false, build: nested(map32) },
  { name: 'nested map32 / array32 headers', valid: false, build: nested(map32, array32) },
  { name: 'str32 of 4 GB', valid: false, build: blob((f, n) => f.u32(0xdb, n), FOUR_GB) },
  {
    name: 'str32 one byte longer than the frame',
    valid: false,
    build: blob(
      (f, n) => f.u32(0xdb, n),
      (left) => left + 1,
    ),
  },
  { name: 'bin32 of 4 GB', valid: false, build: blob((f, n) => f.u32(0xc6, n), FOUR_GB) },
  { name: 'ext32 of 4 GB', valid: false, build: blob((f, n) => f.u32(0xc9, n).push(0x05), FOUR_GB) },
  {
    name: 'array32 of str32 headers of 4 GB',
    valid: false,
    build: run([0xdb, 0xff, 0xff, 0xff, 0xff], 0x61, (left) => Math.floor(left / 5)),
  },
  { name: 'run of fixarray(1) headers', valid: false, build: (size) => new Frame(size).fill(0x91) },
  { name: 'run of fixarray(15) headers', valid: false, build: (size) => new Frame(size).fill(0x9f) },
  {
    name: 'run of fixmap(1) headers',
    valid: false,
    build: (size) => {
      const f = new Frame(size);
      while (f.left >= 2) f.push(0x81, 0x00);
      return f.fill(0x81);
    },
  },
  // The largest valid frames of a kind: each must parse, in time linear in its size.
  {
    name: 'valid: array32 of fixarray(15) of nils',
    valid: true,
    build: validRun([0x9f, ...new Array<number>(15).fill(NIL)]),
  },
  { name: 'valid: array32 of nils', valid: true, build: validRun([NIL]) },
  { name: 'valid: map32 of scattered uint32 keys', valid: true, build: scatteredKeys },
  // U+FEFF (EF BB BF) as a string of its own, which the decoder must keep.
  { name: 'valid: array32 of "\\uFEFF" strings', valid: true, build: validRun([0xa3, 0xef, 0xbb, 0xbf]) },
];
