import { MessageType, type HubMessage } from '@hubrx/core';

const unicode = 'héllo wörld ✓ 日本語 😀 Ω';
const large = 'x'.repeat(100_000);
const nested = {
  Name: 'outer',
  Value: 1,
  Inner: { List: [1, 'two', null, { Deep: [true, false] }], Empty: {} },
};
const manyNumbers = Array.from({ length: 5_000 }, (_, i) => i * 3 - 7_000);

/**
 * U+FEFF is data wherever it stands in a string; a UTF-8 decoder drops a leading one by default (as a byte order
 * mark). At the start, at the end, alone, twice, and before non-ASCII text. (Short: the official MessagePack reader
 * itself drops it from strings of over 200 bytes, which it decodes with TextDecoder.)
 */
const BOM = '\uFEFF';
export const bomStrings: readonly string[] = [`${BOM}hello`, `hello${BOM}`, BOM, BOM + BOM, `${BOM}é✓`];
const bomKeys = { [`${BOM}key`]: 1, [`key${BOM}`]: 2, [BOM]: { [`${BOM}inner`]: BOM } };
const bomHeaders = { [`${BOM}x-trace`]: `${BOM}abc`, [`x-end${BOM}`]: `abc${BOM}`, [BOM]: BOM };

/** Values both JSON and MessagePack carry unchanged. */
export const portableValues: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  42,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  -32,
  -33,
  -129,
  2_147_483_647,
  -2_147_483_648,
  4_294_967_296,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  0.5,
  -1.25,
  1e300,
  '',
  'a',
  unicode,
  'quote " backslash \\ newline \n tab \t control \u0001',
  large,
  [],
  [1, 2, 3],
  {},
  nested,
  manyNumbers,
  ...bomStrings,
  bomKeys,
];

const headers = { 'x-trace': 'abc', Другой: 'значение' };

/** Every message type with and without its optional parts. Field order as ASP.NET Core writes JSON. */
export const corpus: readonly HubMessage[] = [
  { type: MessageType.Invocation, target: 'Send', arguments: [] },
  { type: MessageType.Invocation, target: 'Send', arguments: [42, 'Test Message'] },
  { type: MessageType.Invocation, invocationId: '123', target: 'Send', arguments: [42, 'Test Message'] },
  { type: MessageType.Invocation, headers, invocationId: '1', target: 'Send', arguments: [null] },
  {
    type: MessageType.Invocation,
    invocationId: '7',
    target: 'Upload',
    arguments: [1],
    streamIds: ['1', '2'],
  },
  { type: MessageType.Invocation, target: unicode, arguments: [unicode, nested] },
  { type: MessageType.Invocation, target: 'Big', arguments: [large, manyNumbers] },
  { type: MessageType.Invocation, target: 'Values', arguments: [...portableValues] },
  {
    type: MessageType.Invocation,
    headers: bomHeaders,
    invocationId: `${BOM}1`,
    target: `${BOM}Send`,
    arguments: [...bomStrings, bomKeys],
  },
  { type: MessageType.Invocation, invocationId: `1${BOM}`, target: `Send${BOM}`, arguments: [] },
  { type: MessageType.Invocation, invocationId: BOM, target: BOM, arguments: [BOM] },
  {
    type: MessageType.Invocation,
    invocationId: `${BOM}2`,
    target: `${BOM}Upload`,
    arguments: [],
    streamIds: [`${BOM}3`, BOM],
  },
  { type: MessageType.StreamInvocation, invocationId: '8', target: 'Counter', arguments: [10, 0] },
  {
    type: MessageType.StreamInvocation,
    headers,
    invocationId: '9',
    target: 'Counter',
    arguments: [],
    streamIds: ['3'],
  },
  {
    type: MessageType.StreamInvocation,
    headers: bomHeaders,
    invocationId: `${BOM}9`,
    target: `${BOM}Counter`,
    arguments: [BOM],
    streamIds: [`${BOM}4`],
  },
  ...portableValues.map((item, i): HubMessage => ({
    type: MessageType.StreamItem,
    invocationId: `s${i}`,
    item,
  })),
  { type: MessageType.StreamItem, headers, invocationId: '10', item: 'with headers' },
  { type: MessageType.StreamItem, headers: bomHeaders, invocationId: BOM, item: `${BOM}item` },
  { type: MessageType.Completion, invocationId: '11' },
  { type: MessageType.Completion, headers, invocationId: '12' },
  ...portableValues.map((result, i): HubMessage => ({
    type: MessageType.Completion,
    invocationId: `c${i}`,
    result,
  })),
  { type: MessageType.Completion, invocationId: '13', error: "It didn't work! ✗" },
  { type: MessageType.Completion, headers, invocationId: '14', error: 'with headers' },
  { type: MessageType.Completion, headers: bomHeaders, invocationId: `${BOM}c`, error: `${BOM}failed` },
  { type: MessageType.Completion, invocationId: `c${BOM}`, result: BOM },
  { type: MessageType.CancelInvocation, invocationId: '15' },
  { type: MessageType.CancelInvocation, headers, invocationId: '16' },
  { type: MessageType.CancelInvocation, headers: bomHeaders, invocationId: `${BOM}17` },
  { type: MessageType.Ping },
  { type: MessageType.Close },
  { type: MessageType.Close, error: 'Connection closed because of an error!' },
  { type: MessageType.Close, error: 'Server restarting', allowReconnect: true },
  { type: MessageType.Close, allowReconnect: true },
  { type: MessageType.Close, error: `${BOM}closing${BOM}` },
  { type: MessageType.Ack, sequenceId: 0 },
  { type: MessageType.Ack, sequenceId: 1394 },
  { type: MessageType.Sequence, sequenceId: 1 },
  { type: MessageType.Sequence, sequenceId: 2 ** 40 },
];

/**
 * The same message, compared by meaning: `undefined` fields, empty headers and empty stream ids dropped (the
 * official parsers add `headers: {}`, `streamIds: []` and `error: undefined`), `allowReconnect: false` dropped (it
 * is the default, and MessagePack always carries it), `error: null` dropped.
 */
export function normalize(message: unknown): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (key === 'headers' && Object.keys(value as object).length === 0) continue;
    if (key === 'streamIds' && (value as unknown[]).length === 0) continue;
    if (key === 'allowReconnect' && value === false) continue;
    // The official MessagePack reader reports a Close without error as `error: null`.
    if (key === 'error' && value === null) continue;
    out[key] = value;
  }
  return out;
}
