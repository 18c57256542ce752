import { describe, expect, it } from 'vitest';
import { jsonHubProtocol, MessageType, ProtocolError } from '@hubrx/core';

const RS = '\x1e';
const json = jsonHubProtocol();

function parseError(data: string | Uint8Array): ProtocolError {
  try {
    json.parse(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('jsonHubProtocol', () => {
  it('names itself as the handshake expects', () => {
    expect(json).toMatchObject({ name: 'json', version: 2, transferFormat: 'text' });
  });

  it('parses the spec examples', () => {
    const frame =
      '{"type":1,"invocationId":"123","target":"Send","arguments":[42,"Test Message"]}' +
      RS +
      '{"type":1,"target":"Send","arguments":[42,"Test Message"]}' +
      RS +
      '{"type":1,"invocationId":"123","target":"Send","arguments":[42],"streamIds":["1"]}' +
      RS +
      '{"type":4,"invocationId":"123","target":"Send","arguments":[42,"Test Message"]}' +
      RS +
      '{"type":2,"invocationId":"123","item":42}' +
      RS +
      '{"type":3,"invocationId":"123"}' +
      RS +
      '{"type":3,"invocationId":"123","result":42}' +
      RS +
      `{"type":3,"invocationId":"123","error":"It didn't work!"}` +
      RS +
      '{"type":5,"invocationId":"123"}' +
      RS +
      '{"type":6}' +
      RS +
      '{"type":7,"error":"Connection closed because of an error!","allowReconnect":true}' +
      RS +
      '{"type":8,"sequenceId":1394}' +
      RS +
      '{"type":9,"sequenceId":1234}' +
      RS +
      '{"type":1,"headers":{"Foo":"Bar"},"invocationId":"123","target":"Send","arguments":[42,"Test Message"]}' +
      RS;
    expect(json.parse(frame)).toEqual([
      { type: 1, invocationId: '123', target: 'Send', arguments: [42, 'Test Message'] },
      { type: 1, target: 'Send', arguments: [42, 'Test Message'] },
      { type: 1, invocationId: '123', target: 'Send', arguments: [42], streamIds: ['1'] },
      { type: 4, invocationId: '123', target: 'Send', arguments: [42, 'Test Message'] },
      { type: 2, invocationId: '123', item: 42 },
      { type: 3, invocationId: '123' },
      { type: 3, invocationId: '123', result: 42 },
      { type: 3, invocationId: '123', error: "It didn't work!" },
      { type: 5, invocationId: '123' },
      { type: 6 },
      { type: 7, error: 'Connection closed because of an error!', allowReconnect: true },
      { type: 8, sequenceId: 1394 },
      { type: 9, sequenceId: 1234 },
      {
        type: 1,
        headers: { Foo: 'Bar' },
        invocationId: '123',
        target: 'Send',
        arguments: [42, 'Test Message'],
      },
    ]);
  });

  it('keeps a null result apart from a void completion', () => {
    const [withNull, voidResult] = json.parse(
      `{"type":3,"invocationId":"1","result":null}${RS}{"type":3,"invocationId":"2"}${RS}`,
    );
    expect(withNull).toHaveProperty('result', null);
    expect(voidResult).not.toHaveProperty('result');
  });

  it('treats null optional fields as absent', () => {
    expect(
      json.parse(
        `{"type":1,"invocationId":null,"target":"T","arguments":[],"headers":null,"streamIds":null}${RS}` +
          `{"type":3,"invocationId":"1","error":null,"result":5}${RS}{"type":7,"error":null,"allowReconnect":null}${RS}`,
      ),
    ).toEqual([
      { type: 1, target: 'T', arguments: [] },
      { type: 3, invocationId: '1', result: 5 },
      { type: 7 },
    ]);
  });

  it('reads whitespace, other field orders and escapes (the ordinary path)', () => {
    expect(
      json.parse(
        ` { "arguments" : [ 1 ] , "target" : "A\\u0042" , "type" : 1 } ${RS}` +
          `{"type":2,"invocationId":"\\"q\\"","item":{"a":[1,{"b":"\\n"}]}}${RS}`,
      ),
    ).toEqual([
      { type: 1, target: 'AB', arguments: [1] },
      { type: 2, invocationId: '"q"', item: { a: [1, { b: '\n' }] } },
    ]);
  });

  it('reads numbers, plain strings and flat arrays of them as JSON.parse does', () => {
    const ordinary = jsonHubProtocol({ reviver: (_key, value) => value });
    const payloads = [
      '[]',
      '[1]',
      '[1,"a",-2.5e-3,""]',
      '-0',
      '[-0]',
      '0',
      '1e400',
      '-1E-7',
      '12345678901234567890',
      '"x"',
      '"é😀 \u007f"',
      '["a\\"b"]',
      '["\\u0041"]',
      'true',
      '[null]',
      '[[1]]',
      '[{}]',
      '01',
      '[01]',
      '1.',
      '.5',
      '+1',
      '-',
      '0x10',
      'NaN',
      '[1,]',
      '[,1]',
      '[1 ]',
      '[ 1]',
      '[1 2]',
      '[1]]',
      '[1,"a"',
      '"a',
      '["a""b"]',
      '1 ',
      ' 1',
      '',
    ];
    for (const payload of payloads) {
      for (const record of [
        `{"type":1,"target":"T","arguments":${payload}}`,
        `{"type":2,"invocationId":"1","item":${payload}}`,
        `{"type":3,"invocationId":"1","result":${payload}}`,
      ]) {
        const frame = record + RS;
        let expected: unknown;
        try {
          expected = ordinary.parse(frame);
        } catch (error) {
          expected = (error as Error).name;
          expect(parseError(frame).name).toBe(expected);
          continue;
        }
        expect(json.parse(frame), record).toEqual(expected);
      }
    }
    expect(
      Object.is((json.parse(`{"type":2,"invocationId":"1","item":-0}${RS}`)[0] as never)['item'], -0),
    ).toBe(true);
  });

  it('keeps fields it does not know (forward compatibility)', () => {
    expect(json.parse(`{"type":6,"future":true}${RS}`)).toEqual([{ type: 6, future: true }]);
  });

  it('ignores unknown message types', () => {
    expect(json.parse(`{"type":42,"x":1}${RS}{"type":6}${RS}`)).toEqual([{ type: MessageType.Ping }]);
  });

  it('returns nothing for an empty frame', () => {
    expect(json.parse('')).toEqual([]);
  });

  it('parses UTF-8 bytes and ArrayBuffers', () => {
    const bytes = new TextEncoder().encode(`{"type":1,"target":"Ünïcode ✓","arguments":["😀"]}${RS}`);
    expect(json.parse(bytes)).toEqual([{ type: 1, target: 'Ünïcode ✓', arguments: ['😀'] }]);
    expect(json.parse(bytes.slice().buffer)).toEqual(json.parse(bytes));
  });

  it('does not let a __proto__ key change prototypes', () => {
    const [message] = json.parse(`{"type":2,"invocationId":"1","item":{"__proto__":{"polluted":true}}}${RS}`);
    const item = (message as { item: Record<string, unknown> }).item;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('applies a reviver and a replacer', () => {
    const dates = jsonHubProtocol({
      reviver: (_key, value) =>
        typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? new Date(value) : value,
      replacer(_key, value) {
        return value instanceof Uint8Array ? btoa(String.fromCharCode(...value)) : value;
      },
    });
    expect(dates.parse(`{"type":3,"invocationId":"1","result":"2000-01-01T00:00:00Z"}${RS}`)).toEqual([
      { type: 3, invocationId: '1', result: new Date(Date.UTC(2000, 0, 1)) },
    ]);
    expect(dates.write({ type: 2, invocationId: '1', item: new Uint8Array([1, 2, 3]) })).toBe(
      `{"type":2,"invocationId":"1","item":"AQID"}${RS}`,
    );
  });

  describe('rejects malformed input with a ProtocolError', () => {
    it.each([
      ['a frame without the final record separator', '{"type":6}', /does not end with the record separator/],
      ['malformed JSON', `{"type":6${RS}`, /Malformed JSON/],
      ['an empty record', `${RS}`, /Malformed JSON/],
      ['a record that is not an object', `[6]${RS}`, /must be an object/],
      ['a JSON string', `"x"${RS}`, /must be an object/],
      ['null', `null${RS}`, /must be an object/],
      ['a missing type', `{"target":"x"}${RS}`, /numeric 'type'/],
      ['a string type', `{"type":"1"}${RS}`, /numeric 'type'/],
      [
        'an Invocation without target',
        `{"type":1,"arguments":[]}${RS}`,
        /Invocation message: missing or invalid 'target'/,
      ],
      ['a numeric target', `{"type":1,"target":5,"arguments":[]}${RS}`, /'target' \(expected a string\)/],
      [
        'an Invocation without arguments',
        `{"type":1,"target":"x"}${RS}`,
        /'arguments' \(expected an array\)/,
      ],
      ['arguments as an object', `{"type":1,"target":"x","arguments":{}}${RS}`, /'arguments'/],
      [
        'a numeric invocationId',
        `{"type":1,"invocationId":1,"target":"x","arguments":[]}${RS}`,
        /'invocationId'/,
      ],
      ['non-string stream ids', `{"type":1,"target":"x","arguments":[],"streamIds":[1]}${RS}`, /'streamIds'/],
      [
        'non-string header values',
        `{"type":1,"target":"x","arguments":[],"headers":{"a":1}}${RS}`,
        /'headers'/,
      ],
      ['headers as an array', `{"type":5,"invocationId":"1","headers":[]}${RS}`, /'headers'/],
      [
        'a StreamInvocation without id',
        `{"type":4,"target":"x","arguments":[]}${RS}`,
        /StreamInvocation message: .*'invocationId'/,
      ],
      [
        'a StreamItem without item',
        `{"type":2,"invocationId":"1"}${RS}`,
        /StreamItem message: missing or invalid 'item'/,
      ],
      ['a StreamItem without id', `{"type":2,"item":1}${RS}`, /'invocationId'/],
      [
        'a Completion with result and error',
        `{"type":3,"invocationId":"1","result":1,"error":"e"}${RS}`,
        /both 'result' and 'error'/,
      ],
      [
        'a Completion with null result and error',
        `{"type":3,"invocationId":"1","result":null,"error":"e"}${RS}`,
        /both/,
      ],
      ['a Completion with a numeric error', `{"type":3,"invocationId":"1","error":5}${RS}`, /'error'/],
      ['a Completion without id', `{"type":3,"result":1}${RS}`, /'invocationId'/],
      ['a CancelInvocation without id', `{"type":5}${RS}`, /'invocationId'/],
      ['a Close with a numeric error', `{"type":7,"error":1}${RS}`, /'error'/],
      ['a Close with a string allowReconnect', `{"type":7,"allowReconnect":"yes"}${RS}`, /'allowReconnect'/],
      ['an Ack without sequenceId', `{"type":8}${RS}`, /Ack message: missing or invalid 'sequenceId'/],
      ['a negative sequenceId', `{"type":9,"sequenceId":-1}${RS}`, /'sequenceId'/],
      ['a fractional sequenceId', `{"type":9,"sequenceId":1.5}${RS}`, /'sequenceId'/],
    ])('%s', (_, frame, message) => {
      const error = parseError(frame);
      expect(error.message).toMatch(message);
      expect(error.name).toBe('ProtocolError');
      expect(error.protocol).toBe('json');
    });

    it('names the message type and keeps the cause', () => {
      const invalid = parseError(`{"type":1,"arguments":[]}${RS}`);
      expect(invalid.messageType).toBe(1);
      const malformed = parseError(`{${RS}`);
      expect(malformed.cause).toBeInstanceOf(SyntaxError);
    });

    it('rejects invalid UTF-8', () => {
      expect(parseError(new Uint8Array([0x7b, 0xff, 0x7d, 0x1e])).message).toMatch(/not valid UTF-8/);
    });

    it('rejects a malformed record after valid ones in the same frame', () => {
      expect(parseError(`{"type":6}${RS}{"type":${RS}`).message).toMatch(/Malformed JSON/);
    });
  });

  describe('write', () => {
    it('writes JSON and the record separator', () => {
      expect(
        json.write({ type: MessageType.Invocation, invocationId: '1', target: 'Add', arguments: [1, 2] }),
      ).toBe(`{"type":1,"invocationId":"1","target":"Add","arguments":[1,2]}${RS}`);
      expect(json.write({ type: MessageType.Ping })).toBe(`{"type":6}${RS}`);
    });

    it('rejects what JSON cannot carry with a ProtocolError', () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(() => json.write({ type: 2, invocationId: '1', item: circular })).toThrow(ProtocolError);
      expect(() => json.write({ type: 2, invocationId: '1', item: 10n })).toThrow(
        /Cannot write the message as JSON/,
      );
      expect(() => json.write(null as never)).toThrow(ProtocolError);
    });
  });
});
