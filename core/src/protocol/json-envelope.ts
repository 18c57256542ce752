import type { HubMessage } from './messages.js';

/**
 * A fast path for the JSON records that clients receive most: Invocations, StreamItems and Completions as
 * ASP.NET Core's `Utf8JsonWriter` writes them, fields in a fixed order and no whitespace:
 *
 *   {"type":1,"target":"T","arguments":A}            {"type":1,"invocationId":"I","target":"T","arguments":A}
 *   {"type":2,"invocationId":"I","item":V}           {"type":3,"invocationId":"I","result":V}
 *
 * The envelope is matched here and only the payload (`A` / `V`) goes through `JSON.parse`. Building the envelope
 * object is a third of `JSON.parse`'s cost on a small message (it internalizes each key and looks up the object's
 * map), so this is where a JSON parse beats the official client's `split` + `JSON.parse` per record.
 *
 * Anything else (headers, streamIds, other orders, escapes in the envelope strings, whitespace, a payload that is
 * not one JSON value) returns `undefined` and the caller parses the record the ordinary way. When this returns a
 * message, `JSON.parse` of the whole record would have produced an equal one: the envelope is a valid JSON object
 * prefix, so the record is valid JSON exactly when the payload is.
 */

const CLOSE_BRACE = 0x7d;
// Offsets in the fixed layout: '{"type":N,' is 10 characters, '"invocationId":"' 16, '"target":"' 10.
const TYPE_DIGIT_OFFSET = 8;
const ID_OR_TARGET_OFFSET = 11;
const ID_OFFSET = 26;
const TARGET_OFFSET = 20;
const THEN_TARGET_LENGTH = 12; // '","target":"'
const THEN_ARGUMENTS_LENGTH = 14; // '","arguments":'
const NOT_JSON: unique symbol = Symbol('not JSON');

/*
 * One sticky regex per message type matches the whole envelope up to the payload in one native call (string
 * builtins such as `startsWith` cost tens of nanoseconds per call, which several of them per record would spend).
 * `[^"\\\x00-\x1f]*` is a JSON string without escapes: exactly the characters JSON allows unescaped. A string
 * with escapes does not match and the record takes the ordinary path.
 */
/* eslint-disable no-control-regex -- the control characters are what JSON strings must not contain raw */
const INVOCATION =
  /\{"type":1,(?:"invocationId":"[^"\\\x00-\x1f]*",)?"target":"[^"\\\x00-\x1f]*","arguments":/y;
const STREAM_ITEM = /\{"type":2,"invocationId":"[^"\\\x00-\x1f]*","item":/y;
const COMPLETION = /\{"type":3,"invocationId":"[^"\\\x00-\x1f]*","result":/y;
/* eslint-enable no-control-regex */

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Reads the record `text[start, end)` (without its record separator), or returns `undefined`. */
export function readServerEnvelope(text: string, start: number, end: number): HubMessage | undefined {
  if (text.charCodeAt(end - 1) !== CLOSE_BRACE) return undefined;
  const digit = text.charCodeAt(start + TYPE_DIGIT_OFFSET);
  const envelope =
    digit === 0x31 ? INVOCATION : digit === 0x32 ? STREAM_ITEM : digit === 0x33 ? COMPLETION : undefined;
  if (envelope === undefined) return undefined;
  // `test` rather than `exec`: no match array per record. The strings' bounds follow from the fixed layout,
  // and the regex guarantees that they contain no quote.
  envelope.lastIndex = start;
  if (!envelope.test(text)) return undefined;
  const payloadStart = envelope.lastIndex;
  // The regex cannot run past `end`: a record separator is not among the characters it accepts.
  const payload = parsePayload(text.slice(payloadStart, end - 1));
  if (payload === NOT_JSON) return undefined;
  const hasId = text.charCodeAt(start + ID_OR_TARGET_OFFSET) === 0x69; // 'i' of "invocationId", not 't' of "target"
  const idEnd = hasId ? text.indexOf('"', start + ID_OFFSET) : -1;
  const invocationId = hasId ? text.slice(start + ID_OFFSET, idEnd) : undefined;
  if (envelope === INVOCATION) {
    if (!Array.isArray(payload)) return undefined;
    const target = text.slice(
      hasId ? idEnd + THEN_TARGET_LENGTH : start + TARGET_OFFSET,
      payloadStart - THEN_ARGUMENTS_LENGTH,
    );
    return invocationId === undefined
      ? { type: 1, target, arguments: payload }
      : { type: 1, invocationId, target, arguments: payload };
  }
  return envelope === STREAM_ITEM
    ? { type: 2, invocationId: invocationId!, item: payload }
    : { type: 3, invocationId: invocationId!, result: payload };
}
