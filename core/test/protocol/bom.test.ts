/**
 * U+FEFF is data wherever it stands in a string. A default TextDecoder drops a leading one, taking it for a byte
 * order mark; ours keep it. The MessagePack reader keeps it in every string it decodes, whatever the string's length
 * (and so the decoding path); JSON and handshake text read from bytes is the same text as when it arrives as a
 * string, so a frame that starts with U+FEFF is refused either way (as ASP.NET Core's JSON reader refuses it).
 */
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { jsonHubProtocol, MessageType, parseHandshakeResponse, ProtocolError } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { varintSize, writeVarint } from '../../src/msgpack/binary-framing.js';

const BOM = '\uFEFF';
const msgpack = messagePackHubProtocol();
const utf8 = new TextEncoder();

/** A frame of one message body, encoded by @msgpack/msgpack rather than by our writer. */
function frameOf(body: unknown[]): Uint8Array {
  const bytes = encode(body);
  const out = new Uint8Array(varintSize(bytes.length) + bytes.length);
  out.set(bytes, writeVarint(out, 0, bytes.length));
  return out;
}

describe('the MessagePack reader keeps U+FEFF', () => {
  // Lengths in bytes around the reader's paths: cached (≤ 16), short (≤ 64), TextDecoder; str8, str16, str32.
  it.each([3, 4, 16, 17, 64, 65, 300, 70_000])('leading a string of %i bytes', (length) => {
    const value = BOM + 'x'.repeat(length - 3);
    const item = (msgpack.parse(frameOf([2, {}, 'i', value]))[0] as { item: string }).item;
    expect(item).toHaveLength(value.length);
    expect(item).toBe(value);
  });

  it('in map keys, header names and values, targets, invocation ids, stream ids and errors', () => {
    const headers = { [`${BOM}h`]: `${BOM}v`, [BOM]: BOM };
    const args = [`${BOM}a`, { [`${BOM}key`]: BOM, [`key${BOM}`]: `é${BOM}` }, [BOM, BOM + BOM]];
    expect(msgpack.parse(frameOf([1, headers, `${BOM}1`, `${BOM}Send`, args, [`${BOM}2`, BOM]]))).toEqual([
      {
        type: MessageType.Invocation,
        headers,
        invocationId: `${BOM}1`,
        target: `${BOM}Send`,
        arguments: args,
        streamIds: [`${BOM}2`, BOM],
      },
    ]);
    expect(msgpack.parse(frameOf([3, headers, BOM, 1, `${BOM}failed`]))).toEqual([
      { type: MessageType.Completion, headers, invocationId: BOM, error: `${BOM}failed` },
    ]);
    expect(msgpack.parse(frameOf([5, headers, `${BOM}c`]))).toEqual([
      { type: MessageType.CancelInvocation, headers, invocationId: `${BOM}c` },
    ]);
    expect(msgpack.parse(frameOf([7, `${BOM}bye`, true]))).toEqual([
      { type: MessageType.Close, error: `${BOM}bye`, allowReconnect: true },
    ]);
  });

  it('and still replaces invalid UTF-8 around it with U+FFFD', () => {
    const item = (bytes: number[]) =>
      (
        msgpack.parse(new Uint8Array([5 + bytes.length, 0x94, 0x02, 0x80, 0xa1, 0x69, ...bytes]))[0] as {
          item: string;
        }
      ).item;
    expect(item([0xa2, 0xef, 0xbb])).toBe('\uFFFD');
    expect(item([0xa4, 0xef, 0xbb, 0xbf, 0xff])).toBe(`${BOM}\uFFFD`);
    expect(item([0xa4, 0xff, 0xef, 0xbb, 0xbf])).toBe(`\uFFFD${BOM}`);
  });

  it('through our own writer too', () => {
    const message = {
      type: MessageType.StreamItem,
      headers: { [BOM]: `${BOM}x` },
      invocationId: BOM,
      item: { [BOM]: [BOM, `${BOM}${'y'.repeat(250)}`] },
    } as const;
    expect(msgpack.parse(msgpack.write(message))).toEqual([message]);
  });
});

describe('JSON and handshake text read from bytes is the text itself', () => {
  const json = jsonHubProtocol();
  const outcome = (data: string | Uint8Array) => {
    try {
      return json.parse(data);
    } catch (error) {
      return error;
    }
  };

  it('keeps U+FEFF inside strings', () => {
    const frame = `{"type":3,"invocationId":"${BOM}","result":["${BOM}a","b${BOM}",{"${BOM}":"${BOM}"}]}\x1e`;
    const expected = [{ type: 3, invocationId: BOM, result: [`${BOM}a`, `b${BOM}`, { [BOM]: BOM }] }];
    expect(json.parse(frame)).toEqual(expected);
    expect(json.parse(utf8.encode(frame))).toEqual(expected);
  });

  it('refuses a frame that starts with U+FEFF, as text and as bytes alike', () => {
    const frame = `${BOM}{"type":6}\x1e`;
    expect(outcome(frame)).toBeInstanceOf(ProtocolError);
    expect(outcome(utf8.encode(frame))).toBeInstanceOf(ProtocolError);
  });

  it('refuses a handshake response that starts with U+FEFF, as text and as bytes alike', () => {
    expect(() => parseHandshakeResponse(`${BOM}{}\x1e`)).toThrow(ProtocolError);
    expect(() => parseHandshakeResponse(utf8.encode(`${BOM}{}\x1e`))).toThrow(ProtocolError);
    expect(() => parseHandshakeResponse(utf8.encode('{}\x1e'))).not.toThrow();
  });
});
