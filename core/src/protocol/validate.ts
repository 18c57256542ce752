import { ProtocolError, type ProtocolName } from '../errors.js';
import {
  ACK,
  CANCEL_INVOCATION,
  CLOSE,
  COMPLETION,
  INVOCATION,
  STREAM_INVOCATION,
  STREAM_ITEM,
  type HubMessage,
} from './messages.js';

const NAMES =
  'Invocation StreamItem Completion StreamInvocation CancelInvocation Ping Close Ack Sequence'.split(' ');

/** The name of a message type for error texts (`Invocation`, ..., or `type 42`). */
export function messageName(type: number): string {
  return NAMES[type - 1] ?? `type ${type}`;
}

export function invalidField(
  protocol: ProtocolName,
  type: number,
  field: string,
  expected: string,
): ProtocolError {
  return new ProtocolError(
    `${messageName(type)} message: missing or invalid '${field}' (expected ${expected}).`,
    { protocol, messageType: type },
  );
}

type Fields = Record<string, unknown>;

/**
 * Checks one field. An optional field may be absent or `null` (some servers write `null` rather than omitting
 * it); `null` is removed so that the message matches its type. Callers pass the value read with a static property
 * access, which stays monomorphic where a computed `m[key]` would not.
 */
function check(
  m: Fields,
  type: number,
  key: string,
  value: unknown,
  valid: (value: unknown) => boolean,
  expected: string,
  required?: boolean,
): void {
  if (value == null && !required) {
    if (value === null) delete m[key];
  } else if (!valid(value)) {
    throw invalidField('json', type, key, expected);
  }
}

const isString = (value: unknown): boolean => typeof value === 'string';
const isBoolean = (value: unknown): boolean => typeof value === 'boolean';

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every(isString);
}

function isHeaders(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Fields)[key] !== 'string') return false;
  return true;
}

const isSequenceId = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

interface WireFields {
  type?: unknown;
  headers?: unknown;
  invocationId?: unknown;
  target?: unknown;
  arguments?: unknown;
  streamIds?: unknown;
  error?: unknown;
  allowReconnect?: unknown;
  sequenceId?: unknown;
}

const STRING = 'a string';

/**
 * Checks that a parsed JSON value is a well-formed hub message and returns it typed, without copying. Returns
 * `undefined` for an unknown message type, which receivers ignore for forward compatibility. Each type's fields
 * are checked in one fixed order (id, target, arguments, streamIds, item or error, headers...): the first invalid
 * one is reported.
 */
export function toHubMessage(value: unknown): HubMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('A JSON hub message must be an object.', { protocol: 'json' });
  }
  const m = value as WireFields;
  const f = value as Fields;
  const type = m.type;
  if (typeof type !== 'number') {
    throw new ProtocolError("A JSON hub message needs a numeric 'type'.", { protocol: 'json' });
  }
  if (NAMES[type - 1] === undefined) return undefined;
  // Invocation, StreamItem, Completion, StreamInvocation and CancelInvocation carry an id, optional in an
  // Invocation (non-blocking), and headers; Close and Completion an error.
  if (type <= CANCEL_INVOCATION) {
    check(f, type, 'invocationId', m.invocationId, isString, STRING, type !== INVOCATION);
  }
  if (type === INVOCATION || type === STREAM_INVOCATION) {
    check(f, type, 'target', m.target, isString, STRING, true);
    check(f, type, 'arguments', m.arguments, Array.isArray, 'an array', true);
    check(f, type, 'streamIds', m.streamIds, isStringArray, 'an array of strings');
  }
  if (type === STREAM_ITEM && !('item' in m)) throw invalidField('json', type, 'item', 'a value');
  if (type === COMPLETION || type === CLOSE) {
    check(f, type, 'error', m.error, isString, STRING);
  }
  if (type === COMPLETION && m.error !== undefined && 'result' in m) {
    throw new ProtocolError("Completion message: has both 'result' and 'error'.", {
      protocol: 'json',
      messageType: type,
    });
  }
  if (type <= CANCEL_INVOCATION) {
    check(f, type, 'headers', m.headers, isHeaders, 'an object of string values');
  }
  if (type === CLOSE) {
    check(f, type, 'allowReconnect', m.allowReconnect, isBoolean, 'a boolean');
  }
  if (type >= ACK) {
    check(f, type, 'sequenceId', m.sequenceId, isSequenceId, 'a non-negative integer', true);
  }
  return value as HubMessage;
}
