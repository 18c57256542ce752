/**
 * Our codecs against the official client's, message by message: our output parses identically with theirs,
 * theirs with ours, and the bytes are equal wherever the official client writes the same message.
 */
import { JsonHubProtocol, NullLogger, type HubMessage as OfficialMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { describe, expect, it } from 'vitest';
import { jsonHubProtocol, MessageType, type HubMessage } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { corpus, normalize } from './corpus.js';

const logger = NullLogger.instance;
// U+FEFF spelled out: it is invisible in a test name.
const label = (m: HubMessage) =>
  `${m.type}: ${JSON.stringify(m)
    .replace(/\uFEFF/g, '\\uFEFF')
    .slice(0, 80)}`;

/** Types the official client parses (it is a client: it ignores StreamInvocation and CancelInvocation). */
const officialParses = (m: HubMessage) =>
  m.type !== MessageType.StreamInvocation && m.type !== MessageType.CancelInvocation;

describe('JSON codec against the official JsonHubProtocol', () => {
  const ours = jsonHubProtocol();
  const official = new JsonHubProtocol();

  it.each(corpus.map((m) => [label(m), m] as const))('writes the same text: %s', (_, message) => {
    expect(ours.write(message)).toBe(official.writeMessage(message as OfficialMessage));
  });

  it.each(corpus.filter(officialParses).map((m) => [label(m), m] as const))(
    'official parses ours identically: %s',
    (_, message) => {
      const parsed = official.parseMessages(ours.write(message) as string, logger);
      expect(parsed.map(normalize)).toEqual([normalize(message)]);
    },
  );

  it.each(corpus.map((m) => [label(m), m] as const))(
    'we parse the official output identically: %s',
    (_, message) => {
      const parsed = ours.parse(official.writeMessage(message as OfficialMessage));
      expect(parsed.map(normalize)).toEqual([normalize(message)]);
    },
  );

  it('parses a frame of every message at once, as the official does', () => {
    const frame = corpus.map((m) => official.writeMessage(m as OfficialMessage)).join('');
    expect(ours.parse(frame).map(normalize)).toEqual(corpus.map(normalize));
    expect(ours.parse(new TextEncoder().encode(frame)).map(normalize)).toEqual(corpus.map(normalize));
    const officialView = official.parseMessages(frame, logger).map(normalize);
    expect(ours.parse(frame).filter(officialParses).map(normalize)).toEqual(officialView);
  });
});

describe('MessagePack codec against the official MessagePackHubProtocol', () => {
  const ours = messagePackHubProtocol();
  const official = new MessagePackHubProtocol();
  const officialBytes = (m: HubMessage) => new Uint8Array(official.writeMessage(m as OfficialMessage));

  const binaryValues: readonly HubMessage[] = [
    {
      type: MessageType.Invocation,
      target: 'Bytes',
      arguments: [new Uint8Array([1, 2, 3]), new Uint8Array(0)],
    },
    { type: MessageType.Completion, invocationId: 'b', result: new Uint8Array(70_000).fill(7) },
    { type: MessageType.StreamItem, invocationId: 'd', item: new Date(Date.UTC(2000, 0, 1)) },
    {
      type: MessageType.Completion,
      invocationId: 'd2',
      result: new Date(Date.UTC(2262, 3, 11, 23, 47, 16, 854)),
    },
    {
      type: MessageType.Completion,
      invocationId: 'd3',
      result: new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 1)),
    },
    // (-0 is not here: @msgpack/msgpack, ours and theirs, writes it as the integer 0.)
    { type: MessageType.Completion, invocationId: 'f', result: [Number.NaN, Infinity, -Infinity, 1.5e-300] },
  ];
  const all = [...corpus, ...binaryValues];

  /**
   * Where the official writer differs on purpose: it writes Close as `[7, nil]` (dropping `error` and
   * `allowReconnect`; the spec and ASP.NET Core write `[7, error, allowReconnect]`).
   */
  const officialWritesSame = (m: HubMessage) => m.type !== MessageType.Close;

  it.each(all.filter(officialWritesSame).map((m) => [label(m), m] as const))(
    'writes the same bytes: %s',
    (_, message) => {
      expect(ours.write(message)).toEqual(officialBytes(message));
    },
  );

  it('writes Close with error and allowReconnect, as ASP.NET Core does', () => {
    const frame = ours.write({ type: MessageType.Close, error: 'xyz', allowReconnect: true });
    expect([...(frame as Uint8Array)]).toEqual([0x07, 0x93, 0x07, 0xa3, 0x78, 0x79, 0x7a, 0xc3]);
    expect([...(ours.write({ type: MessageType.Close }) as Uint8Array)]).toEqual([
      0x04, 0x93, 0x07, 0xc0, 0xc2,
    ]);
  });

  it.each(all.filter(officialParses).map((m) => [label(m), m] as const))(
    'official parses ours identically: %s',
    (_, message) => {
      const bytes = ours.write(message) as Uint8Array;
      const parsed = official.parseMessages(bytes.slice().buffer, logger).map(normalize);
      // The official reader drops an Invocation's stream ids (a client never receives them).
      const expected = normalize(message) as Record<string, unknown>;
      if (message.type === MessageType.Invocation) delete expected.streamIds;
      expect(parsed).toEqual([expected]);
    },
  );

  it.each(all.filter(officialWritesSame).map((m) => [label(m), m] as const))(
    'we parse the official output identically: %s',
    (_, message) => {
      expect(ours.parse(officialBytes(message)).map(normalize)).toEqual([normalize(message)]);
    },
  );

  it('parses the official Close, which carries nothing', () => {
    expect(ours.parse(officialBytes({ type: MessageType.Close, error: 'lost' }))).toEqual([
      { type: MessageType.Close },
    ]);
  });

  it('parses a frame of every message at once, from an ArrayBuffer or a view into a larger buffer', () => {
    const parts = all.filter(officialWritesSame).map(officialBytes);
    const size = parts.reduce((n, p) => n + p.length, 0);
    const padded = new Uint8Array(size + 10);
    let offset = 5;
    for (const p of parts) {
      padded.set(p, offset);
      offset += p.length;
    }
    const view = padded.subarray(5, 5 + size);
    const expected = all.filter(officialWritesSame).map(normalize);
    expect(ours.parse(view).map(normalize)).toEqual(expected);
    expect(ours.parse(view.slice().buffer).map(normalize)).toEqual(expected);
  });

  it('reads byte arrays as views of the frame, not copies', () => {
    const frame = ours.write({
      type: MessageType.StreamItem,
      invocationId: '1',
      item: new Uint8Array([9, 8, 7]),
    });
    const [message] = ours.parse(frame);
    const item = (message as { item: Uint8Array }).item;
    expect(item).toEqual(new Uint8Array([9, 8, 7]));
    expect(item.buffer).toBe((frame as Uint8Array).buffer);
  });
});
