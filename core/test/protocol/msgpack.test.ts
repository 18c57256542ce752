import { encode, ExtensionCodec } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MessageType, ProtocolError } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { readFrameBody, varintSize, writeVarint } from '../../src/msgpack/binary-framing.js';

const msgpack = messagePackHubProtocol();
const bytes = (...values: number[]) => new Uint8Array(values);
/** A frame holding one message body, with its length prefix. */
function frame(body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : new Uint8Array(body);
  const out = new Uint8Array(varintSize(b.length) + b.length);
  out.set(b, writeVarint(out, 0, b.length));
  return out;
}
const frameOf = (value: unknown) => frame(encode(value));

function parseError(data: Uint8Array | string): ProtocolError {
  try {
    msgpack.parse(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).protocol).toBe('messagepack');
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('messagePackHubProtocol', () => {
  it('names itself as the handshake expects', () => {
    expect(msgpack).toMatchObject({ name: 'messagepack', version: 2, transferFormat: 'binary' });
  });

  describe('the spec examples (HubProtocol.md)', () => {
    it.each([
      [
        'Invocation',
        [
          0x96, 0x01, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0xa6, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x91, 0x2a,
          0x90,
        ],
        { type: 1, invocationId: 'xyz', target: 'method', arguments: [42] },
      ],
      [
        'non-blocking Invocation',
        [0x96, 0x01, 0x80, 0xc0, 0xa6, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x91, 0x2a, 0x90],
        { type: 1, target: 'method', arguments: [42] },
      ],
      [
        'StreamInvocation',
        [
          0x96, 0x04, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0xa6, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x91, 0x2a,
          0x90,
        ],
        { type: 4, invocationId: 'xyz', target: 'method', arguments: [42] },
      ],
      [
        'StreamItem',
        [0x94, 0x02, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0x2a],
        { type: 2, invocationId: 'xyz', item: 42 },
      ],
      [
        'error Completion',
        [0x95, 0x03, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0x01, 0xa5, 0x45, 0x72, 0x72, 0x6f, 0x72],
        { type: 3, invocationId: 'xyz', error: 'Error' },
      ],
      ['void Completion', [0x94, 0x03, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0x02], { type: 3, invocationId: 'xyz' }],
      [
        'non-void Completion',
        [0x95, 0x03, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0x03, 0x2a],
        { type: 3, invocationId: 'xyz', result: 42 },
      ],
      ['CancelInvocation', [0x93, 0x05, 0x80, 0xa3, 0x78, 0x79, 0x7a], { type: 5, invocationId: 'xyz' }],
      ['Ping', [0x91, 0x06], { type: 6 }],
      ['Close', [0x92, 0x07, 0xa3, 0x78, 0x79, 0x7a], { type: 7, error: 'xyz' }],
      [
        'Close with allowReconnect',
        [0x93, 0x07, 0xa3, 0x78, 0x79, 0x7a, 0xc3],
        { type: 7, error: 'xyz', allowReconnect: true },
      ],
      ['Ack', [0x92, 0x08, 0xcc, 0x24], { type: 8, sequenceId: 36 }],
      ['Sequence', [0x92, 0x09, 0xcc, 0x13], { type: 9, sequenceId: 19 }],
      [
        'Invocation with headers',
        [
          0x96, 0x01, 0x82, 0xa1, 0x78, 0xa1, 0x79, 0xa1, 0x7a, 0xa1, 0x7a, 0xa3, 0x78, 0x79, 0x7a, 0xa6,
          0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x91, 0x2a, 0x90,
        ],
        { type: 1, headers: { x: 'y', z: 'z' }, invocationId: 'xyz', target: 'method', arguments: [42] },
      ],
    ])('%s', (_, body, message) => {
      expect(msgpack.parse(frame(body))).toEqual([message]);
    });

    it('writes the Ping exactly as 0x91 0x06', () => {
      expect(msgpack.write({ type: MessageType.Ping })).toEqual(bytes(0x02, 0x91, 0x06));
    });

    it('writes an Invocation without stream ids as 5 elements, with them (even none) as 6, as the official client', () => {
      const plain = msgpack.write({
        type: 1,
        invocationId: 'xyz',
        target: 'method',
        arguments: [42],
      }) as Uint8Array;
      expect([...plain]).toEqual([
        0x10, 0x95, 0x01, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0xa6, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x91, 0x2a,
      ]);
      const empty = msgpack.write({
        type: 1,
        invocationId: 'xyz',
        target: 'method',
        arguments: [42],
        streamIds: [],
      });
      expect([...(empty as Uint8Array)]).toEqual([0x11, 0x96, ...[...plain].slice(2), 0x90]);
      const streams = msgpack.write({ type: 1, target: 'm', arguments: [], streamIds: ['1'] }) as Uint8Array;
      expect([...streams]).toEqual([0x0a, 0x96, 0x01, 0x80, 0xc0, 0xa1, 0x6d, 0x90, 0x91, 0xa1, 0x31]);
    });

    it('writes every Invocation with its stream-id array when asked to, as ASP.NET Core does', () => {
      const server = messagePackHubProtocol({ writeEmptyStreamIds: true });
      expect([...(server.write({ type: 1, target: 'm', arguments: [] }) as Uint8Array)]).toEqual([
        0x08, 0x96, 0x01, 0x80, 0xc0, 0xa1, 0x6d, 0x90, 0x90,
      ]);
    });
  });

  describe('length prefix (VarInt)', () => {
    it('reads the spec examples', () => {
      const small = { start: 0, end: 0 };
      readFrameBody(new Uint8Array([0x35, ...new Uint8Array(0x35)]), small);
      expect(small).toEqual({ start: 1, end: 1 + 53 });
      const larger = { start: 0, end: 0 };
      readFrameBody(new Uint8Array([0x80, 0x29, ...new Uint8Array(5248)]), larger);
      expect(larger).toEqual({ start: 2, end: 2 + 5248 });
    });

    it('writes sizes at every prefix length', () => {
      for (const [size, prefix] of [
        [0x7f, [0x7f]],
        [0x80, [0x80, 0x01]],
        [0x1480, [0x80, 0x29]],
        [0x3fff, [0xff, 0x7f]],
        [0x4000, [0x80, 0x80, 0x01]],
        [0x1fffff, [0xff, 0xff, 0x7f]],
        [0x200000, [0x80, 0x80, 0x80, 0x01]],
        [0xfffffff, [0xff, 0xff, 0xff, 0x7f]],
        [0x10000000, [0x80, 0x80, 0x80, 0x80, 0x01]],
        [0x7fffffff, [0xff, 0xff, 0xff, 0xff, 0x07]],
      ] as const) {
        const out = new Uint8Array(5);
        expect(writeVarint(out, 0, size)).toBe(prefix.length);
        expect([...out.subarray(0, prefix.length)]).toEqual(prefix);
        expect(varintSize(size)).toBe(prefix.length);
      }
    });

    it('accepts the largest prefix (2 GB - 1) and reports the missing body', () => {
      expect(parseError(bytes(0xff, 0xff, 0xff, 0xff, 0x07)).message).toMatch(
        /announces 2147483647 bytes but only 0 remain/,
      );
    });

    it.each([
      ['a value over 2 GB - 1', [0xff, 0xff, 0xff, 0xff, 0x08], /too large/],
      ['a sixth prefix byte', [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /too large/],
      ['a prefix cut off', [0x80], /Truncated message length prefix/],
      ['a prefix cut off after a message', [0x02, 0x91, 0x06, 0xff, 0xff], /Truncated message length prefix/],
      ['a body shorter than announced', [0x05, 0x91, 0x06], /announces 5 bytes but only 2 remain/],
      ['an empty body', [0x00], /Empty message/],
    ])('rejects %s', (_, data, message) => {
      expect(parseError(bytes(...data)).message).toMatch(message);
    });
  });

  describe('values', () => {
    const item = (value: unknown) =>
      (msgpack.parse(frameOf([2, {}, 'i', value]))[0] as { item: unknown }).item;

    it('reads every MessagePack type', () => {
      expect(item(null)).toBeNull();
      expect(item(true)).toBe(true);
      expect(item(false)).toBe(false);
      for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
        expect(item(n)).toBe(n);
        expect(item(-n)).toBe(-n || 0);
      }
      expect(item(-32)).toBe(-32);
      expect(item(-33)).toBe(-33);
      expect(item(-(2 ** 31))).toBe(-(2 ** 31));
      expect(item(1.5)).toBe(1.5);
      expect(item(Number.NaN)).toBeNaN();
      expect(item('')).toBe('');
      expect(item('x'.repeat(31))).toBe('x'.repeat(31));
      expect(item('x'.repeat(300))).toBe('x'.repeat(300));
      expect(item('y'.repeat(70_000))).toBe('y'.repeat(70_000));
      expect(item('é✓😀'.repeat(20))).toBe('é✓😀'.repeat(20));
      expect(item('é')).toBe('é');
      expect(item([1, [2, [3]]])).toEqual([1, [2, [3]]]);
      expect(item(Array.from({ length: 70_000 }, (_, i) => i % 7))).toHaveLength(70_000);
      expect(item({ a: 1, b: { c: [] } })).toEqual({ a: 1, b: { c: [] } });
      expect(item(new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 2]));
      expect(item(new Date(Date.UTC(2000, 0, 1)))).toEqual(new Date(Date.UTC(2000, 0, 1)));
    });

    it('reads float32, int8/16/32/64 and uint64 encodings', () => {
      const raw = (...b: number[]) =>
        (msgpack.parse(frame([0x94, 0x02, 0x80, 0xa1, 0x69, ...b]))[0] as { item: unknown }).item;
      expect(raw(0xca, 0x3f, 0xc0, 0x00, 0x00)).toBe(1.5);
      expect(raw(0xd0, 0x80)).toBe(-128);
      expect(raw(0xd1, 0x80, 0x00)).toBe(-32768);
      expect(raw(0xd2, 0x80, 0x00, 0x00, 0x00)).toBe(-(2 ** 31));
      expect(raw(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)).toBe(-2);
      expect(raw(0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00)).toBe(2 ** 32);
      expect(raw(0xd9, 0x01, 0x41)).toBe('A');
      expect(raw(0xda, 0x00, 0x01, 0x41)).toBe('A');
      expect(raw(0xdb, 0x00, 0x00, 0x00, 0x01, 0x41)).toBe('A');
      expect(raw(0xdc, 0x00, 0x01, 0x05)).toEqual([5]);
      expect(raw(0xdd, 0x00, 0x00, 0x00, 0x01, 0x05)).toEqual([5]);
      expect(raw(0xde, 0x00, 0x01, 0xa1, 0x6b, 0x05)).toEqual({ k: 5 });
      expect(raw(0xdf, 0x00, 0x00, 0x00, 0x01, 0x01, 0x05)).toEqual({ 1: 5 });
      expect(raw(0xc5, 0x00, 0x01, 0x07)).toEqual(new Uint8Array([7]));
      expect(raw(0xc6, 0x00, 0x00, 0x00, 0x01, 0x07)).toEqual(new Uint8Array([7]));
    });

    it('reads int64 as bigint when asked', () => {
      const big = messagePackHubProtocol({ useBigInt64: true });
      const body = [0x94, 0x02, 0x80, 0xa1, 0x69, 0xd3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
      expect((big.parse(frame(body))[0] as { item: unknown }).item).toBe(2n ** 63n - 1n);
      const negative = big.write({ type: 2, invocationId: 'i', item: -(2n ** 62n) });
      expect(big.parse(negative)).toEqual([{ type: 2, invocationId: 'i', item: -(2n ** 62n) }]);
    });

    it('decodes extension types with the given codec, and unknown ones as ExtData', () => {
      const codec = new ExtensionCodec();
      codec.register({
        type: 5,
        encode: (v) => (v instanceof Set ? encode([...(v as Set<unknown>)]) : null),
        decode: () => 'a set',
      });
      const custom = messagePackHubProtocol({ extensionCodec: codec });
      const written = custom.write({ type: 2, invocationId: 'i', item: new Set([1]) });
      expect(custom.parse(written)).toEqual([{ type: 2, invocationId: 'i', item: 'a set' }]);
      expect((msgpack.parse(written)[0] as { item: { type: number } }).item.type).toBe(5);
    });

    it('refuses a __proto__ map key instead of replacing the prototype', () => {
      const body = [0x94, 0x02, 0x80, 0xa1, 0x69, 0x81, 0xa9, ...new TextEncoder().encode('__proto__'), 0x80];
      expect(parseError(frame(body)).message).toMatch(/'__proto__' is not allowed/);
    });
  });

  it('reads byte arrays of a Node Buffer frame as plain Uint8Array views, not Buffers', () => {
    const data = frameOf([MessageType.Completion, {}, '1', 3, bytes(1, 2, 3)]);
    const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const [message] = msgpack.parse(buffer);
    const result = (message as { result: Uint8Array }).result;
    expect(Object.getPrototypeOf(result)).toBe(Uint8Array.prototype);
    expect([...result]).toEqual([1, 2, 3]);
    expect(result.buffer).toBe(buffer.buffer);
  });

  it('skips unknown message types and reads what follows', () => {
    const data = new Uint8Array([...frameOf([42, 'future', { x: 1 }]), ...frameOf([6])]);
    expect(msgpack.parse(data)).toEqual([{ type: 6 }]);
  });

  it('ignores elements appended by newer protocol versions', () => {
    expect(msgpack.parse(frameOf([6, 'extra']))).toEqual([{ type: 6 }]);
    expect(msgpack.parse(frameOf([2, {}, 'i', 1, 'extra', 2]))).toEqual([
      { type: 2, invocationId: 'i', item: 1 },
    ]);
    expect(msgpack.parse(frameOf([3, {}, 'i', 2, 'ignored']))).toEqual([{ type: 3, invocationId: 'i' }]);
    expect(msgpack.parse(frameOf([1, {}, null, 't', [], [], 'extra']))).toEqual([
      { type: 1, target: 't', arguments: [] },
    ]);
  });

  it('reads a Close without allowReconnect and with a nil one', () => {
    expect(msgpack.parse(frameOf([7, null]))).toEqual([{ type: 7 }]);
    expect(msgpack.parse(frameOf([7, null, null]))).toEqual([{ type: 7 }]);
    expect(msgpack.parse(frameOf([7, 'e', false]))).toEqual([{ type: 7, error: 'e', allowReconnect: false }]);
  });

  describe('rejects malformed input with a ProtocolError', () => {
    it.each([
      ['a text frame', '{"type":6}\x1e', /reads binary frames, not text/],
      ['a message that is not an array', frameOf({ type: 6 }), /must be an array/],
      ['an empty array', frameOf([]), /must not be an empty array/],
      ['a non-integer type', frameOf(['1']), /integer message type/],
      ['a fractional type', frameOf([1.5]), /integer message type/],
      [
        'an Invocation with 4 elements',
        frameOf([1, {}, null, 't']),
        /Invocation message: expected at least 5 elements, got 4/,
      ],
      ['a numeric target', frameOf([1, {}, null, 5, []]), /'target'/],
      ['arguments as a map', frameOf([1, {}, null, 't', {}]), /'arguments'/],
      ['a numeric invocationId', frameOf([1, {}, 5, 't', []]), /'invocationId'/],
      ['non-string stream ids', frameOf([1, {}, 'i', 't', [], [1]]), /'streamIds'/],
      ['headers as an array', frameOf([2, [], 'i', 1]), /'headers'/],
      ['a non-string header', frameOf([2, { a: 1 }, 'i', 1]), /'headers'/],
      ['binary headers', frameOf([2, new Uint8Array(1), 'i', 1]), /'headers'/],
      [
        'a StreamInvocation without id',
        frameOf([4, {}, null, 't', []]),
        /StreamInvocation message: .*'invocationId'/,
      ],
      [
        'a StreamItem without item',
        frameOf([2, {}, 'i']),
        /StreamItem message: expected at least 4 elements/,
      ],
      ['a Completion result kind 4', frameOf([3, {}, 'i', 4, 1]), /'resultKind'/],
      [
        'a Completion error kind without error',
        frameOf([3, {}, 'i', 1]),
        /result kind 1 needs a fifth element/,
      ],
      ['a Completion with a numeric error', frameOf([3, {}, 'i', 1, 5]), /'error'/],
      ['a CancelInvocation without id', frameOf([5, {}]), /CancelInvocation message: expected at least 3/],
      ['a Close with a numeric error', frameOf([7, 5]), /'error'/],
      ['a Close with a string allowReconnect', frameOf([7, null, 'yes']), /'allowReconnect'/],
      ['an Ack with a string id', frameOf([8, '1']), /'sequenceId'/],
      ['a negative sequence id', frameOf([9, -1]), /'sequenceId'/],
      ['bytes after the message array', frame([0x91, 0x06, 0xc0]), /1 bytes after the message array/],
      [
        'a truncated string',
        frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0xa5, 0x41]),
        /Truncated MessagePack value/,
      ],
      ['a truncated float', frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0xcb, 0x00]), /Truncated MessagePack value/],
      [
        'an array longer than the message',
        frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0xdd, 0xff, 0xff, 0xff, 0xff]),
        /Truncated MessagePack array/,
      ],
      [
        'a map longer than the message',
        frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0xdf, 0x7f, 0xff, 0xff, 0xff]),
        /Truncated MessagePack map/,
      ],
      ['a huge outer array', frame([0xdd, 0xff, 0xff, 0xff, 0xff, 0x06]), /Truncated MessagePack array/],
      [
        'the never-used byte 0xc1',
        frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0xc1]),
        /Invalid MessagePack type byte 0xc1/,
      ],
      [
        'an array map key',
        frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0x81, 0x90, 0x01]),
        /map keys must be strings or numbers/,
      ],
      [
        'a bad timestamp extension',
        frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0xd5, 0xff, 0x00, 0x00]),
        /extension type -1/,
      ],
    ])('%s', (_, data, message) => {
      expect(parseError(data).message).toMatch(message);
    });

    it('refuses nesting deeper than maxDepth without overflowing the stack', () => {
      const depth = 100_000;
      const body = new Uint8Array(5 + depth + 1);
      body.set([0x94, 0x02, 0x80, 0xa1, 0x69]);
      body.fill(0x91, 5, 5 + depth);
      body[5 + depth] = 0x01;
      expect(parseError(frame(body)).message).toMatch(/nested deeper than 500/);
      const shallow = messagePackHubProtocol({ maxDepth: 2 });
      expect(() => shallow.parse(frame([0x94, 0x02, 0x80, 0xa1, 0x69, 0x91, 0x91, 0x91, 0x01]))).toThrow(
        /deeper than 2/,
      );
    });

    it('enforces the configured length limits', () => {
      const limited = messagePackHubProtocol({
        maxStrLength: 3,
        maxBinLength: 3,
        maxArrayLength: 3,
        maxMapLength: 1,
      });
      expect(() => limited.parse(frameOf([2, {}, 'i', 'abcd']))).toThrow(/maxStrLength/);
      expect(() => limited.parse(frameOf([2, {}, 'i', new Uint8Array(4)]))).toThrow(/maxBinLength/);
      expect(() => limited.parse(frameOf([2, {}, 'i', [1, 2, 3, 4]]))).toThrow(/maxArrayLength/);
      expect(() => limited.parse(frameOf([2, {}, 'i', { a: 1, b: 2 }]))).toThrow(/maxMapLength/);
    });
  });

  describe('write', () => {
    it('rejects what MessagePack cannot carry with a ProtocolError', () => {
      expect(() => msgpack.write({ type: 2, invocationId: '1', item: () => 1 })).toThrow(ProtocolError);
      expect(() => msgpack.write({ type: 2, invocationId: '1', item: 10n })).toThrow(
        /Cannot write the message as MessagePack/,
      );
      expect(() => msgpack.write({ type: 99 } as never)).toThrow(/unknown type 99/);
      expect(() => msgpack.write(undefined as never)).toThrow(ProtocolError);
    });

    it('returns a frame that owns its whole buffer', () => {
      const out = msgpack.write({ type: 1, target: 't', arguments: ['x'.repeat(5000)] }) as Uint8Array;
      expect(out.byteOffset).toBe(0);
      expect(out.byteLength).toBe(out.buffer.byteLength);
      // The encoder reuses its buffer: a later write must not change an earlier frame.
      const copy = out.slice();
      msgpack.write({ type: 1, target: 'other', arguments: ['y'.repeat(5000)] });
      expect(out).toEqual(copy);
    });
  });
});
