// Bad input over raw WebSockets: garbage JSON and MessagePack, oversized and truncated messages, unknown message
// types, floods, binary frames on a JSON connection. Each broken connection must get the exact Close message and a
// 1000 close frame, while the server keeps serving a bystander connection that invokes Echo all along.

import { describe, expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import {
  completionOf,
  delay,
  hexBytes,
  jsonRecord,
  lengthPrefixed,
  messagePackRecord,
  ofType,
  RS,
  texts,
  wireSession,
  type WireSession,
  type WireSocket,
} from '../support/wire.js';

const CLOSED = 'Connection closed with an error.';
const TOO_BIG =
  'InvalidDataException: The maximum message size of 32768B was exceeded. The message size can be configured in ' +
  'AddHubOptions.';
const MAX_MESSAGE_SIZE = 32768;

/**
 * A connection that invokes Echo back to back until stopped; `stop()` checks every answer and resolves with how many
 * calls succeeded.
 */
async function bystander(wire: WireSession): Promise<{ stop: () => Promise<number> }> {
  const socket = await wire.hubSocket();
  let running = true;
  let count = 0;
  const loop = (async (): Promise<string | undefined> => {
    while (running) {
      const id = String(++count);
      const completion = await socket.invoke('Echo', [`ping ${id}`], id);
      const expected = `{"type":3,"invocationId":"${id}","result":"ping ${id}"}${RS}`;
      if (completion.text !== expected) return `bystander got ${completion.text} instead of ${expected}`;
      await delay(5);
    }
    return undefined;
  })().catch((error: unknown) => `bystander failed: ${String(error)}`);
  return {
    stop: async () => {
      running = false;
      const failure = await loop;
      if (failure !== undefined) throw new Error(failure);
      return count;
    },
  };
}

/** The Close message of a JSON connection, and then a 1000 close frame. */
async function expectJsonClose(socket: WireSocket, error: string): Promise<void> {
  expect((await socket.waitFor(ofType(7))).text).toBe(
    `${JSON.stringify({ type: 7, error, allowReconnect: true })}${RS}`,
  );
  expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
}

/** The MessagePack Close [7, error, true] (str8 error), and then a 1000 close frame. */
function messagePackClose(error: string): string {
  const text = Buffer.from(error, 'utf8');
  const header =
    text.length < 256
      ? Buffer.from([0xd9, text.length])
      : Buffer.from([0xda, text.length >> 8, text.length & 0xff]);
  return lengthPrefixed(Buffer.concat([hexBytes('93 07'), header, text, hexBytes('c3')])).toString('hex');
}

/** An Echo invocation record of exactly `size` bytes, 0x1E included. */
function jsonEchoOfSize(size: number): string {
  const empty = jsonRecord({ type: 1, invocationId: '1', target: 'Echo', arguments: [''] });
  return jsonRecord({
    type: 1,
    invocationId: '1',
    target: 'Echo',
    arguments: ['x'.repeat(size - empty.length)],
  });
}

/** A MessagePack Echo invocation of exactly `size` bytes, length prefix included. */
function messagePackEchoOfSize(size: number): Buffer {
  for (let length = size; length > 0; length--) {
    const record = messagePackRecord({
      type: 1,
      invocationId: '1',
      target: 'Echo',
      arguments: ['x'.repeat(length)],
    });
    if (record.length === size) return record;
  }
  throw new Error(`no Echo record of ${size} bytes`);
}

const JSON_GARBAGE: [string, string, string][] = [
  ['invalid JSON', `{"type":1,${RS}`, 'InvalidDataException: Error reading JSON.'],
  ['not JSON at all', `not json${RS}`, 'InvalidDataException: Error reading JSON.'],
  ['an empty record', RS, 'InvalidDataException: Error reading JSON.'],
  [
    'a JSON array',
    `[1,2]${RS}`,
    "InvalidDataException: Unexpected JSON Token Type 'Array'. Expected a JSON Object.",
  ],
  [
    'a message without type',
    `{"invocationId":"1","target":"Echo","arguments":["x"]}${RS}`,
    "InvalidDataException: Missing required property 'type'.",
  ],
  [
    'a string type',
    `{"type":"1","invocationId":"1","target":"Echo","arguments":["x"]}${RS}`,
    "InvalidDataException: Expected 'type' to be of type Number.",
  ],
  [
    'an invocation without arguments',
    `{"type":1,"invocationId":"1","target":"Echo"}${RS}`,
    "InvalidDataException: Missing required property 'arguments'.",
  ],
  [
    'an invocation without target',
    `{"type":1,"invocationId":"1","arguments":["x"]}${RS}`,
    "InvalidDataException: Missing required property 'target'.",
  ],
];

const MESSAGEPACK_GARBAGE: [string, string, string][] = [
  [
    'a never-used MessagePack code',
    '03 c1 c1 c1',
    'MessagePackSerializationException: Unexpected msgpack code 193 ((never used)) encountered.',
  ],
  [
    'a message that is not an array',
    '02 01 ff',
    'MessagePackSerializationException: Unexpected msgpack code 1 (positive fixint) encountered.',
  ],
  ['an empty array', '01 90', "InvalidDataException: Reading 'messageType' as Int32 failed."],
  [
    'a VarInt longer than 5 bytes',
    'ff ff ff ff ff 01',
    'FormatException: Messages over 2GB in size are not supported.',
  ],
];

// Every test has its own connections: run them concurrently (at most 5 at a time) to keep the file short.
describe.concurrent('wire: bad input', () => {
  describeEachTarget('wire: bad input', (target) => {
    it('closes a JSON connection on garbage with "Connection closed with an error. InvalidDataException: …" and 1000, others undisturbed', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const other = await bystander(wire);
      for (const [what, frame] of JSON_GARBAGE) {
        const socket = await wire.hubSocket();
        await socket.send(frame);
        const close = await socket.waitFor(ofType(7), undefined, `the Close after ${what}`);
        expect(Object.keys(close.message ?? {}), what).toEqual(['type', 'error', 'allowReconnect']);
        expect(String(close.message?.error), what).toMatch(
          /^Connection closed with an error\. InvalidDataException: /,
        );
        expect(close.message?.allowReconnect, what).toBe(true);
        expect(await socket.waitForClose(), what).toEqual({ code: 1000, reason: '' });
      }
      expect(await other.stop()).toBeGreaterThan(0);
      // The server still accepts new connections.
      const fresh = await wire.hubSocket();
      expect((await fresh.invoke('Echo', ['after'], '1')).message?.result).toBe('after');
    });

    for (const [what, frame, detail] of JSON_GARBAGE) {
      it(`JSON garbage, exact Close text: ${what}`, async (ctx) => {
        const wire = wireSession(target.url, ctx);
        const socket = await wire.hubSocket();
        await socket.send(frame);
        await expectJsonClose(socket, `${CLOSED} ${detail}`);
      });
    }

    it('JSON garbage, exact Close text: bytes that are not UTF-8', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(hexBytes('ff ff 1e'));
      await expectJsonClose(socket, `${CLOSED} InvalidDataException: Error reading JSON.`);
    });

    it('closes a MessagePack connection on garbage with the MessagePack Close [7, error, true] and 1000, others undisturbed', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const other = await bystander(wire);
      for (const [what, bytes] of MESSAGEPACK_GARBAGE) {
        const socket = await wire.hubSocket('/testhub', 'messagepack');
        await socket.send(hexBytes(bytes));
        const close = await socket.waitFor(ofType(7), undefined, `the Close after ${what}`);
        expect(String(close.message?.error), what).toMatch(
          /^Connection closed with an error\. \w+Exception: /,
        );
        expect(close.message?.allowReconnect, what).toBe(true);
        expect(await socket.waitForClose(), what).toEqual({ code: 1000, reason: '' });
      }
      expect(await other.stop()).toBeGreaterThan(0);
    });

    for (const [what, bytes, detail] of MESSAGEPACK_GARBAGE) {
      it(`MessagePack garbage, exact Close bytes: ${what}`, async (ctx) => {
        const wire = wireSession(target.url, ctx);
        const socket = await wire.hubSocket('/testhub', 'messagepack');
        await socket.send(hexBytes(bytes));
        expect((await socket.waitFor(ofType(7))).hex).toBe(messagePackClose(`${CLOSED} ${detail}`));
        expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
      });
    }

    it('accepts a JSON message of exactly 32768 bytes (0x1E included) and closes on 40000 with the exact text', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const other = await bystander(wire);
      const fits = await wire.hubSocket();
      const largest = jsonEchoOfSize(MAX_MESSAGE_SIZE);
      expect(Buffer.byteLength(largest)).toBe(MAX_MESSAGE_SIZE);
      await fits.send(largest);
      const argument = (JSON.parse(largest.slice(0, -1)) as { arguments: [string] }).arguments[0];
      expect((await fits.waitFor(completionOf('1'))).message?.result).toBe(argument);

      const tooBig = await wire.hubSocket();
      await tooBig.send(jsonEchoOfSize(40000));
      await expectJsonClose(tooBig, `${CLOSED} ${TOO_BIG}`);
      expect(await other.stop()).toBeGreaterThan(0);
    });

    it('closes on a JSON message of 32769 bytes (0x1E included)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonEchoOfSize(MAX_MESSAGE_SIZE + 1));
      await expectJsonClose(socket, `${CLOSED} ${TOO_BIG}`);
    });

    it('closes when more than 32768 bytes arrive without a record separator', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(`{"type":1,"target":"Echo","arguments":["${'x'.repeat(1000)}`);
      await delay(100);
      expect(socket.isOpen).toBe(true);
      await socket.send('x'.repeat(MAX_MESSAGE_SIZE));
      await expectJsonClose(socket, `${CLOSED} ${TOO_BIG}`);
    });

    it('accepts a MessagePack message of exactly 32768 bytes (prefix included) and closes on a bigger one', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const fits = await wire.hubSocket('/testhub', 'messagepack');
      await fits.send(messagePackEchoOfSize(MAX_MESSAGE_SIZE));
      expect((await fits.waitFor(completionOf('1'))).message?.invocationId).toBe('1');

      const tooBig = await wire.hubSocket('/testhub', 'messagepack');
      await tooBig.send(messagePackEchoOfSize(40000));
      expect((await tooBig.waitFor(ofType(7))).hex).toBe(messagePackClose(`${CLOSED} ${TOO_BIG}`));
      expect(await tooBig.waitForClose()).toEqual({ code: 1000, reason: '' });
    });

    it('closes on a MessagePack message of 32769 bytes (prefix included)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket('/testhub', 'messagepack');
      await socket.send(messagePackEchoOfSize(MAX_MESSAGE_SIZE + 1));
      expect((await socket.waitFor(ofType(7))).hex).toBe(messagePackClose(`${CLOSED} ${TOO_BIG}`));
    });

    it('closes on a huge declared but truncated MessagePack message once more than 32768 bytes are buffered', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const other = await bystander(wire);
      const socket = await wire.hubSocket('/testhub', 'messagepack');
      // Declares 1,000,000 bytes, sends a few.
      await socket.send(Buffer.concat([hexBytes('c0 84 3d'), hexBytes('95 01 80 a1 31')]));
      await delay(100);
      // (A server that fails early has closed the socket by now; the Close must be there all the same.)
      await socket.send(Buffer.alloc(40000, 0xc0)).catch(() => undefined);
      expect((await socket.waitFor(ofType(7))).hex).toBe(messagePackClose(`${CLOSED} ${TOO_BIG}`));
      expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
      expect(await other.stop()).toBeGreaterThan(0);
    });

    it('waits on a declared but truncated MessagePack message while less than 32768 bytes are buffered', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket('/testhub', 'messagepack');
      await socket.send(Buffer.concat([hexBytes('c0 84 3d'), hexBytes('95 01 80 a1 31')]));
      expect(texts(await socket.drain(300))).toEqual([]);
      expect(socket.isOpen).toBe(true);
    });

    it('waits on a truncated JSON message (no close, no answer)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send('{"type":1,"invocationId":"1","target":"Echo","argu');
      expect(texts(await socket.drain(300))).toEqual([]);
      expect(socket.isOpen).toBe(true);
      await socket.send(`ments":["completed later"]}${RS}`);
      expect((await socket.waitFor(completionOf('1'))).message?.result).toBe('completed later');
    });

    // DELIBERATE DIFFERENCE: the mock skips a message with an unknown type and carries on, as the hub protocol
    // says receivers must (forward compatibility). ASP.NET Core's parser returns "no message" without consuming it,
    // so the connection is wedged: nothing after it is processed until more than 32768 bytes are buffered, which
    // closes the connection with the maximum-size error. Copying that would make the mock useless for testing
    // clients that send newer message types; the test pins ASP.NET Core's behaviour and the mock's difference.
    (target.kind === 'mock' ? it.fails : it)(
      'an unknown message type wedges the connection until the buffer exceeds the maximum size',
      async (ctx) => {
        const wire = wireSession(target.url, ctx);
        const socket = await wire.hubSocket();
        await socket.send(jsonRecord({ type: 99 }));
        await socket.send(
          jsonRecord({ type: 1, invocationId: '1', target: 'Echo', arguments: ['never answered'] }),
        );
        expect(texts(await socket.drain(300))).toEqual([]);
        // Nothing is processed; the buffered bytes grow until the limit.
        const filler = jsonRecord({ type: 6 });
        await socket.send(filler.repeat(Math.ceil(MAX_MESSAGE_SIZE / filler.length) + 1));
        await expectJsonClose(socket, `${CLOSED} ${TOO_BIG}`);
        expect(socket.records.some(completionOf('1'))).toBe(false);
      },
    );

    it('answers every one of 5,000 invocations sent as fast as possible, in order, while serving others', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const other = await bystander(wire);
      const socket = await wire.hubSocket();
      const count = 5000;
      const sends: Promise<void>[] = [];
      for (let index = 0; index < count; index++) {
        sends.push(
          socket.send(
            jsonRecord({ type: 1, invocationId: String(index), target: 'Echo', arguments: [`m${index}`] }),
          ),
        );
      }
      await Promise.all(sends);
      await socket.waitFor(completionOf(String(count - 1)), 20_000);
      const completions = socket.records.filter(ofType(3));
      expect(completions).toHaveLength(count);
      completions.forEach((completion, index) => {
        expect(completion.text).toBe(`{"type":3,"invocationId":"${index}","result":"m${index}"}${RS}`);
      });
      expect(await other.stop()).toBeGreaterThan(0);
    });

    it('answers 5,000 invocations sent in one 350 KB frame (the limit is per message)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      let frame = '';
      for (let index = 0; index < 5000; index++) {
        frame += jsonRecord({
          type: 1,
          invocationId: String(index),
          target: 'Echo',
          arguments: [`m${index}`],
        });
      }
      expect(frame.length).toBeGreaterThan(10 * MAX_MESSAGE_SIZE);
      await socket.send(frame);
      await socket.waitFor(completionOf('4999'), 20_000);
      expect(socket.records.filter(ofType(3))).toHaveLength(5000);
    });

    it('reads a binary frame on a JSON connection as JSON', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(
        Buffer.from(jsonRecord({ type: 1, invocationId: '1', target: 'Echo', arguments: ['bin'] })),
      );
      const completion = await socket.waitFor(completionOf('1'));
      expect(completion.text).toBe(`{"type":3,"invocationId":"1","result":"bin"}${RS}`);
      // The answer still comes in a text frame.
      expect(socket.frames.every((frame) => !frame.binary)).toBe(true);
    });
  });
});
