import type { HubMessage } from './messages.js';

/**
 * A fast path for the JSON records that clients receive most: Invocations, StreamItems and Completions as
 * ASP.NET Core's `Utf8JsonWriter` writes them, fields in a fixed order and no whitespace:
 *
 *   {"type":1,"target":"T","arguments":A}            {"type":1,"invocationId":"I","target":"T","arguments":A}
 *   {"type":2,"invocationId":"I","item":V}           {"type":3,"invocationId":"I","result":V}
 *
 * The envelope is matched here and only the payload (`A` / `V`) is parsed. Building the envelope object is a third
 * of `JSON.parse`'s cost on a small message (it internalizes each key and looks up the object's map), so this is
 * where a JSON parse beats the official client's `split` + `JSON.parse` per record. The commonest payloads, a
 * number, a string without escapes, or a flat array of them (`[42,"text"]`), are read without `JSON.parse` at all:
 * its fixed cost per call, and its building of arrays, are most of the remaining time of such a record.
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

/*
 * One sticky regex matches the whole envelope up to the payload in one native call (string builtins such as
 * `startsWith` cost tens of nanoseconds per call, which several of them per record would spend); its three
 * alternatives part at the type digit. `[^"\\\x00-\x1f]*` is a JSON string without escapes: exactly the
 * characters JSON allows unescaped. A string with escapes does not match and the record takes the ordinary path.
 */
/* eslint-disable no-control-regex -- the control characters are what JSON strings must not contain raw */
const ENVELOPE =
  /\{"type":(?:1,(?:"invocationId":"[^"\\\x00-\x1f]*",)?"target":"[^"\\\x00-\x1f]*","arguments"|2,"invocationId":"[^"\\\x00-\x1f]*","item"|3,"invocationId":"[^"\\\x00-\x1f]*","result"):/y;
/** A JSON number, or a JSON string without escapes. */
const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\\\x00-\x1f]*"/y;
/* eslint-enable no-control-regex */

/**
 * The SCALAR at `at`, which then ends at `SCALAR.lastIndex`; `undefined` if there is none (JSON has no
 * `undefined`). `+` reads a JSON number exactly as `JSON.parse` does: the same correctly rounded conversion.
 */
function scalar(text: string, at: number): unknown {
  SCALAR.lastIndex = at;
  if (!SCALAR.test(text)) return undefined;
  return text.charCodeAt(at) === 0x22
    ? text.slice(at + 1, SCALAR.lastIndex - 1)
    : +text.slice(at, SCALAR.lastIndex);
}

/**
 * The JSON value `text[start, end)`, `undefined` if it is not one. A SCALAR or a flat array of them is read
 * directly, anything else by `JSON.parse`.
 */
function parsePayload(text: string, start: number, end: number): unknown {
  let value: unknown;
  if (text.charCodeAt(start) === 0x5b) {
    const items: unknown[] = [];
    let at = start + 1;
    if (text.charCodeAt(at) !== 0x5d) {
      // `at` is at the '[' or ',' before an item, then after it; a bad item leaves it at the '[' or ','.
      at = start;
      do {
        if ((value = scalar(text, at + 1)) === undefined) break;
        items.push(value);
        at = SCALAR.lastIndex;
      } while (text.charCodeAt(at) === 0x2c);
    }
    if (text.charCodeAt(at) === 0x5d && at + 1 === end) return items;
  } else if ((value = scalar(text, start)) !== undefined && SCALAR.lastIndex === end) {
    return value;
  }
  try {
    return JSON.parse(text.slice(start, end)) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads the record `text[start, end)` (without its record separator), or returns `undefined`. */
export function readServerEnvelope(text: string, start: number, end: number): HubMessage | undefined {
  // `test` rather than `exec`: no match array per record. The strings' bounds follow from the fixed layout,
  // and the regex guarantees that they contain no quote. It cannot run past `end`: a record separator is not
  // among the characters it accepts.
  ENVELOPE.lastIndex = start;
  if (text.charCodeAt(end - 1) !== CLOSE_BRACE || !ENVELOPE.test(text)) return undefined;
  const payloadStart = ENVELOPE.lastIndex;
  const payload = parsePayload(text, payloadStart, end - 1);
  if (payload === undefined) return undefined;
  const type = text.charCodeAt(start + TYPE_DIGIT_OFFSET);
  const hasId = text.charCodeAt(start + ID_OR_TARGET_OFFSET) === 0x69; // 'i' of "invocationId", not 't' of "target"
  const idEnd = hasId ? text.indexOf('"', start + ID_OFFSET) : -1;
  const invocationId = hasId ? text.slice(start + ID_OFFSET, idEnd) : undefined;
  if (type === 0x31) {
    if (!Array.isArray(payload)) return undefined;
    const target = text.slice(
      hasId ? idEnd + THEN_TARGET_LENGTH : start + TARGET_OFFSET,
      payloadStart - THEN_ARGUMENTS_LENGTH,
    );
    return invocationId === undefined
      ? { type: 1, target, arguments: payload }
      : { type: 1, invocationId, target, arguments: payload };
  }
  return type === 0x32
    ? { type: 2, invocationId: invocationId!, item: payload }
    : { type: 3, invocationId: invocationId!, result: payload };
}
