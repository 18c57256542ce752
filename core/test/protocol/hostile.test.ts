/**
 * Hostile MessagePack frames: refused with a ProtocolError (or parsed, the valid ones), and read with array slots
 * allocated in proportion to the frame, not to the lengths it announces. No timing here: the time and heap figures
 * are `npm run bench -- hostile`'s.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { varintSize, writeVarint } from '../../src/msgpack/binary-framing.js';
import { hostileFrames } from './hostile-frames.js';

const msgpack = messagePackHubProtocol();

/** A frame holding one StreamItem `[2, {}, 'i', item]` whose item is `item`, padded with `padding` zeros. */
function streamItem(item: readonly number[], padding = 0): Uint8Array {
  const size = 5 + item.length + padding;
  const out = new Uint8Array(varintSize(size) + size);
  const at = writeVarint(out, 0, size);
  out.set([0x94, 0x02, 0x80, 0xa1, 0x69, ...item], at);
  return out;
}

function parseError(data: Uint8Array): ProtocolError {
  try {
    msgpack.parse(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).protocol).toBe('messagepack');
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

const itemOf = (data: Uint8Array) => (msgpack.parse(data)[0] as { item: unknown }).item;

/**
 * The slots of every array created with a length (`new Array(n)`) while `run` runs: the reader's arrays, and the
 * char-code arrays of ASCII strings it builds in JS. `Array` is swapped for a counting proxy meanwhile.
 */
function countArraySlots(run: () => void): number {
  const NativeArray = globalThis.Array;
  let slots = 0;
  globalThis.Array = new Proxy(NativeArray, {
    construct(target, args, newTarget) {
      if (args.length === 1 && typeof args[0] === 'number') slots += args[0];
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  try {
    run();
  } finally {
    globalThis.Array = NativeArray;
  }
  return slots;
}

describe('hostile MessagePack frames', () => {
  const cases = [4 * 1024, 32 * 1024].flatMap((size) =>
    hostileFrames.map((frame) => [`${frame.name}, ${size / 1024} KB`, frame, size] as const),
  );

  it.each(cases)(
    '%s: refused or parsed, with no more array slots than the frame has bytes',
    (_, { valid, build }, size) => {
      const data = build(size);
      expect(data.length).toBeLessThanOrEqual(size);
      const slots = countArraySlots(() => {
        if (valid) expect(msgpack.parse(data)).toHaveLength(1);
        else parseError(data);
      });
      expect(slots).toBeLessThanOrEqual(data.length);
    },
  );

  it("refuses issue 11's frame at the second header: 500 nested array16 headers of 27,800 elements in 32 KB", () => {
    const headers = Array.from({ length: 500 }, () => [0xdc, 0x6c, 0x98]).flat();
    const data = streamItem(headers, 32 * 1024 - 5 - headers.length - 3);
    expect(data.length).toBe(32 * 1024);
    let error: ProtocolError | undefined;
    // Announced: 500 × 27,800 = 13.9 million elements. Allocated: the first array's 27,800 slots.
    expect(countArraySlots(() => (error = parseError(data)))).toBe(27_800);
    expect(error!.message).toBe(
      'Truncated MessagePack array: 27800 elements announced but only 4955 bytes left for them ' +
        '(of 32754: the enclosing arrays and maps still expect 27799 values).',
    );
  });

  it('allocates nothing for a str, bin or ext length beyond the frame', () => {
    for (const head of [
      [0xdb, 0xff, 0xff, 0xff, 0xff],
      [0xc6, 0xff, 0xff, 0xff, 0xff],
      [0xc9, 0xff, 0xff, 0xff, 0xff, 0x05],
    ]) {
      const data = streamItem(head, 100);
      expect(
        countArraySlots(() => expect(parseError(data).message).toMatch(/Truncated MessagePack value/)),
      ).toBe(0);
    }
  });
});

describe('the room an array or map announces, counting what its enclosing containers still expect', () => {
  it.each([
    ['an array in an array', [0x92, 0x91, 0x01, 0x01], [[1], 1]],
    ['an array in a map', [0x82, 0x01, 0x91, 0x01, 0x02, 0x03], { 1: [1], 2: 3 }],
    ['a map in a map', [0x82, 0x00, 0x81, 0x00, 0x00, 0x01, 0x01], { 0: { 0: 0 }, 1: 1 }],
    ['a map in an array', [0x92, 0x81, 0x00, 0x00, 0x01], [{ 0: 0 }, 1]],
  ])('%s that fits exactly is read', (_, item, value) => {
    expect(itemOf(streamItem(item))).toEqual(value);
  });

  it.each([
    [
      'an array in an array',
      [0x92, 0x92, 0x01, 0x01],
      'array: 2 elements announced but only 1 bytes left for them (of 2: the enclosing arrays and maps still expect 1 values)',
    ],
    [
      'an array in a map',
      [0x82, 0x01, 0x92, 0x01, 0x02, 0x03],
      'array: 2 elements announced but only 1 bytes left for them (of 3: the enclosing arrays and maps still expect 2 values)',
    ],
    [
      'a map in a map',
      [0x82, 0x00, 0x82, 0x00, 0x00, 0x01, 0x01],
      'map: 2 entries announced but only 2 bytes left for them (of 4: the enclosing arrays and maps still expect 2 values)',
    ],
    [
      'a map in an array',
      [0x92, 0x82, 0x00, 0x00, 0x01],
      'map: 2 entries announced but only 2 bytes left for them (of 3: the enclosing arrays and maps still expect 1 values)',
    ],
    ['an outermost array', [0x93, 0x01, 0x01], 'array: 3 elements announced but only 2 bytes left for them'],
  ])('%s one element too long is refused before it is read', (_, item, message) => {
    expect(parseError(streamItem(item)).message).toBe(`Truncated MessagePack ${message}.`);
  });

  it('reads containers as long as the frame allows, and nested to the depth limit', () => {
    const nils = 40_000;
    const wide = itemOf(streamItem([0xdc, nils >> 8, nils & 0xff, ...new Array<number>(nils).fill(0xc0)]));
    expect(wide).toHaveLength(nils);
    let deep = itemOf(streamItem([...new Array<number>(500).fill(0x91), 0x07]));
    for (let level = 0; level < 500; level++) deep = (deep as unknown[])[0];
    expect(deep).toBe(7);
  });
});
