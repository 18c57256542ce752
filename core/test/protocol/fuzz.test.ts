/**
 * Property-based tests: on random and mutated input, only a ProtocolError may escape either parser (never a
 * TypeError, RangeError or stack overflow, never a hang); the JSON envelope fast path agrees with the ordinary
 * path, and bytes read as the same text; our MessagePack reader agrees with the official decoder on arbitrary
 * values and round-trips arbitrary messages. Strings often begin with U+FEFF, which a UTF-8 decoder drops by
 * default (as a byte order mark) although it is data.
 */
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { NullLogger, type HubMessage as OfficialMessage } from '@microsoft/signalr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonHubProtocol, parseHandshakeResponse, ProtocolError, type HubMessage } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { corpus, normalize } from './corpus.js';

const RS = '\x1e';
const json = jsonHubProtocol();
const msgpack = messagePackHubProtocol();
const runs = { numRuns: process.env.CI ? 3000 : 1500 };
const BOM = '\uFEFF';
const utf8 = new TextEncoder();

/** Strings of `unit`, a third of them behind a U+FEFF. */
function bomLeading(string: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: string, weight: 2 }, { arbitrary: string.map((s) => BOM + s), weight: 1 });
}

function onlyProtocolErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

const jsonFrames = corpus.filter((m) => JSON.stringify(m).length < 2000).map((m) => json.write(m) as string);
const msgpackFrames = corpus
  .filter((m) => JSON.stringify(m).length < 2000)
  .map((m) => msgpack.write(m) as Uint8Array);

/** Random edits of a valid frame: replace, insert or delete characters / bytes, or truncate. */
const textEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
  char: fc.string({ minLength: 1, maxLength: 3 }),
});
const byteEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutateText(text: string, edits: { at: number; kind: string; char: string }[]): string {
  let out = text;
  for (const { at, kind, char } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 'replace') out = out.slice(0, i) + char + out.slice(i + 1);
    else if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
    else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i);
  }
  return out;
}

function mutateBytes(data: Uint8Array, edits: { at: number; kind: string; byte: number }[]): Uint8Array {
  let out = [...data];
  for (const { at, kind, byte } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 'replace') out[i] = byte;
    else if (kind === 'insert') out.splice(i, 0, byte);
    else if (kind === 'delete') out.splice(i, 1);
    else out = out.slice(0, i);
  }
  return new Uint8Array(out);
}

describe('JSON parse never throws anything but ProtocolError', () => {
  it('on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) =>
        onlyProtocolErrors(() => json.parse(s)),
      ),
      runs,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => onlyProtocolErrors(() => json.parse(s + RS))),
      runs,
    );
  });

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyProtocolErrors(() => json.parse(b))),
      runs,
    );
  });

  it('on arbitrary JSON values as records', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (values) =>
        onlyProtocolErrors(() => json.parse(values.map((v) => JSON.stringify(v) + RS).join(''))),
      ),
      runs,
    );
  });

  it('on objects that look like hub messages', () => {
    const field = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.array(fc.string()),
      fc.dictionary(fc.string(), fc.jsonValue()),
    );
    const message = fc.record(
      {
        type: fc.oneof(fc.integer({ min: -1, max: 11 }), fc.jsonValue()),
        invocationId: field,
        target: field,
        arguments: field,
        streamIds: field,
        headers: field,
        item: field,
        result: field,
        error: field,
        allowReconnect: field,
        sequenceId: field,
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(message, (m) => onlyProtocolErrors(() => json.parse(JSON.stringify(m) + RS))),
      runs,
    );
  });

  it('on mutated valid frames', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...jsonFrames),
        fc.array(textEdit, { minLength: 1, maxLength: 4 }),
        (frame, edits) => onlyProtocolErrors(() => json.parse(mutateText(frame, edits))),
      ),
      runs,
    );
  });

  it('handshake responses too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => onlyProtocolErrors(() => parseHandshakeResponse(s))),
      runs,
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) =>
        onlyProtocolErrors(() => parseHandshakeResponse(b)),
      ),
      runs,
    );
  });
});

describe('the JSON envelope fast path agrees with the ordinary path', () => {
  // A reviver makes every record take the ordinary path (JSON.parse of the whole record, then validation).
  const ordinary = jsonHubProtocol({ reviver: (_key, value) => value });
  const outcome = (protocol: typeof json, frame: string | Uint8Array) => {
    try {
      return { messages: protocol.parse(frame) };
    } catch (error) {
      return { error: (error as Error).name };
    }
  };
  // Strings with quotes, backslashes, control characters and record separators, to probe the envelope regexes.
  const tricky = fc.string({
    unit: fc.constantFrom('a', 'Z', '"', '\\', '\n', '\x1e', '\x00', 'é', '😀', ' ', ',', '}', BOM),
    maxLength: 8,
  });
  const payload = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.jsonValue().map((v) => JSON.stringify(v) + ',"streamIds":["1"]'),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('[1]}', '[1],"x":2', ' [1] ', '[', ']', '"', '{}', '[1]]', 'nul', '1,2'),
  );
  const record = fc.oneof(
    fc.tuple(tricky, payload).map(([t, p]) => `{"type":1,"target":"${t}","arguments":${p}}`),
    fc
      .tuple(tricky, tricky, payload)
      .map(([i, t, p]) => `{"type":1,"invocationId":"${i}","target":"${t}","arguments":${p}}`),
    fc.tuple(tricky, payload).map(([i, p]) => `{"type":2,"invocationId":"${i}","item":${p}}`),
    fc.tuple(tricky, payload).map(([i, p]) => `{"type":3,"invocationId":"${i}","result":${p}}`),
    fc.tuple(tricky, payload).map(([i, p]) => `{"type":3,"invocationId":"${i}","error":${p}}`),
  );

  it('on generated server-shaped records', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 3 }), (records) => {
        const frame = records.join(RS) + RS;
        expect(outcome(json, frame)).toEqual(outcome(ordinary, frame));
      }),
      runs,
    );
  });

  // The payloads read without JSON.parse (numbers, strings without escapes, flat arrays of them), and near misses.
  const scalarText = fc.oneof(
    fc.double().map((v) => JSON.stringify(v)),
    fc.integer().map(String),
    fc.constantFrom('-0', '0', '1e400', '-1E-7', '1.5e+3', '01', '1.', '.5', '+1', '-', '0x1', 'NaN', '1 '),
    tricky.map((t) => `"${t}"`),
    fc.constantFrom('true', 'null', '{}', '[]', '[1]', '""', '"a', '"\\u0041"'),
  );
  const flatPayload = fc.oneof(
    scalarText,
    fc
      .tuple(fc.array(scalarText, { maxLength: 4 }), fc.constantFrom('', '', ',', ' ', ',,', ']'))
      .map(([items, end]) => `[${items.join(',')}${end}]`),
    fc
      .tuple(fc.array(scalarText, { maxLength: 4 }), fc.array(textEdit, { maxLength: 2 }))
      .map(([items, edits]) => mutateText(`[${items.join(',')}]`, edits)),
  );

  it('on flat payloads and near misses', () => {
    const flatRecord = fc.oneof(
      flatPayload.map((p) => `{"type":1,"target":"T","arguments":${p}}`),
      flatPayload.map((p) => `{"type":2,"invocationId":"1","item":${p}}`),
      flatPayload.map((p) => `{"type":3,"invocationId":"1","result":${p}}`),
    );
    fc.assert(
      fc.property(fc.array(flatRecord, { minLength: 1, maxLength: 3 }), (records) => {
        const frame = records.join(RS) + RS;
        expect(outcome(json, frame)).toEqual(outcome(ordinary, frame));
      }),
      runs,
    );
  });

  it('on valid messages with arbitrary strings and payloads', () => {
    const text = bomLeading(fc.string());
    // JSON values, and strings, keys and array items that may begin with U+FEFF.
    const value = fc.oneof(
      fc.jsonValue(),
      text,
      fc.array(text, { maxLength: 3 }),
      fc.dictionary(text, fc.jsonValue(), { maxKeys: 3 }),
    );
    const message = fc.oneof(
      fc.record({ type: fc.constant(1), target: text, arguments: fc.array(value) }),
      fc.record({
        type: fc.constant(1),
        invocationId: text,
        target: text,
        arguments: fc.array(value),
      }),
      fc.record({ type: fc.constant(2), invocationId: text, item: value }),
      fc.record({ type: fc.constant(3), invocationId: text, result: value }),
    );
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), (messages) => {
        const frame = messages.map((m) => JSON.stringify(m) + RS).join('');
        const parsed = json.parse(frame);
        expect(parsed).toEqual(ordinary.parse(frame));
        expect(parsed).toEqual(JSON.parse(JSON.stringify(messages)));
        expect(json.parse(utf8.encode(frame))).toEqual(parsed);
      }),
      runs,
    );
  });

  it('reads UTF-8 bytes as the same text, a leading U+FEFF included', () => {
    const frame = fc.oneof(
      fc.array(record, { minLength: 1, maxLength: 3 }).map((records) => records.join(RS) + RS),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(bomLeading(frame), (f) => {
        expect(outcome(json, utf8.encode(f))).toEqual(outcome(json, f));
      }),
      runs,
    );
  });
});

describe('MessagePack parse never throws anything but ProtocolError', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyProtocolErrors(() => msgpack.parse(b))),
      runs,
    );
  });

  it('on random bodies behind a correct length prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 120 }), (body) =>
        onlyProtocolErrors(() => msgpack.parse(new Uint8Array([body.length, ...body]))),
      ),
      runs,
    );
  });

  it('on mutated valid frames', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...msgpackFrames),
        fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
        (frame, edits) => onlyProtocolErrors(() => msgpack.parse(mutateBytes(frame, edits))),
      ),
      runs,
    );
  });

  it('on text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => onlyProtocolErrors(() => msgpack.parse(s))),
      { numRuns: 50 },
    );
  });
});

describe('our MessagePack reader agrees with the official decoder on arbitrary values', () => {
  const official = new MessagePackHubProtocol();
  // Short (the official reader drops a leading U+FEFF from strings of over 200 bytes: it decodes them with a
  // default TextDecoder); ASCII and not, around our reader's 16- and 64-byte string paths.
  const text = bomLeading(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 70 })),
  );
  const key = bomLeading(fc.string()).filter((k) => k !== '__proto__');
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      text,
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.date({ noInvalidDate: true }),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  }));
  const headers = fc.dictionary(key, text, { maxKeys: 3 });

  it('for stream items, results and arguments, with headers, ids and targets', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), text, text, headers, (values, id, target, h) => {
        const messages: HubMessage[] = [
          { type: 1, headers: h, invocationId: id, target, arguments: values },
          { type: 2, headers: h, invocationId: id, item: values[0] ?? null },
          { type: 3, headers: h, invocationId: id, result: values },
          { type: 3, headers: h, invocationId: id, error: target },
        ];
        for (const message of messages) {
          const bytes = official.writeMessage(message as OfficialMessage);
          const theirs = official.parseMessages(bytes, NullLogger.instance).map(normalize);
          const ours = msgpack.parse(bytes).map(normalize);
          if (message.type === 1) delete (ours[0] as Record<string, unknown>).streamIds;
          expect(ours).toEqual(theirs);
        }
      }),
      runs,
    );
  });
});

describe('our MessagePack codec round-trips arbitrary messages', () => {
  // Any length: our reader keeps a leading U+FEFF on every path (cached ASCII, short ASCII, TextDecoder).
  const text = bomLeading(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ maxLength: 300 })));
  const key = bomLeading(fc.string({ unit: 'binary' })).filter((k) => k !== '__proto__');
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      // (-0 is written as the integer 0.)
      fc.double().filter((d) => !Object.is(d, -0)),
      text,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  }));
  const headers = fc.option(fc.dictionary(key, text, { minKeys: 1, maxKeys: 3 }), { nil: undefined });
  const id = fc.option(text, { nil: undefined });
  const message = fc.oneof(
    fc.record(
      {
        type: fc.constantFrom(1 as const, 4 as const),
        headers,
        invocationId: text,
        target: text,
        arguments: fc.array(value, { maxLength: 4 }),
        streamIds: fc.array(text, { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: ['type', 'invocationId', 'target', 'arguments'] },
    ),
    fc.record({ type: fc.constant(1 as const), invocationId: id, target: text, arguments: fc.array(value) }),
    fc.record({ type: fc.constant(2 as const), headers, invocationId: text, item: value }),
    fc.record({ type: fc.constant(3 as const), headers, invocationId: text, result: value }),
    fc.record({ type: fc.constant(3 as const), headers, invocationId: text, error: text }),
    fc.record({ type: fc.constant(5 as const), headers, invocationId: text }),
    fc.record({ type: fc.constant(7 as const), error: id, allowReconnect: fc.boolean() }),
  );

  it('values, map keys, headers, targets, ids and errors come back as they were written', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), (generated) => {
        const messages = generated as HubMessage[];
        const frames = messages.map((m) => msgpack.write(m) as Uint8Array);
        const frame = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
        frames.reduce((offset, f) => (frame.set(f, offset), offset + f.length), 0);
        expect(msgpack.parse(frame).map(normalize)).toEqual(messages.map(normalize));
      }),
      runs,
    );
  });
});
