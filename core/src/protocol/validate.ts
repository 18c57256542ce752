import { ProtocolError, type ProtocolName } from '../errors.js';
import { MessageType, type HubMessage } from './messages.js';

const messageNames: Readonly<Record<number, string>> = {
  1: 'Invocation',
  2: 'StreamItem',
  3: 'Completion',
  4: 'StreamInvocation',
  5: 'CancelInvocation',
  6: 'Ping',
  7: 'Close',
  8: 'Ack',
  9: 'Sequence',
};

/** The name of a message type for error texts (`Invocation`, ..., or `type 42`). */
export function messageName(type: number): string {
  return messageNames[type] ?? `type ${type}`;
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
 * An optional field may be absent or `null` (some servers write `null` rather than omitting it); `null` is removed
 * so that the message matches its type. Callers pass the value read with a static property access, which stays
 * monomorphic on the hot path where a computed `m[key]` would not.
 */
function optional(
  m: Fields,
  key: string,
  value: unknown,
  valid: (value: unknown) => boolean,
  type: number,
  expected: string,
): void {
  if (value === undefined) return;
  if (value === null) delete m[key];
  else if (!valid(value)) throw invalidField('json', type, key, expected);
}

const isString = (value: unknown): boolean => typeof value === 'string';
const isBoolean = (value: unknown): boolean => typeof value === 'boolean';

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

function isHeaders(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Fields)[key] !== 'string') return false;
  return true;
}

function isSequenceId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

interface WireFields {
  type?: unknown;
  headers?: unknown;
  invocationId?: unknown;
  target?: unknown;
  arguments?: unknown;
  streamIds?: unknown;
  item?: unknown;
  result?: unknown;
  error?: unknown;
  allowReconnect?: unknown;
  sequenceId?: unknown;
}

const HEADERS = 'an object of string values';

/**
 * Checks that a parsed JSON value is a well-formed hub message and returns it typed, without copying. Returns
 * `undefined` for an unknown message type, which receivers ignore for forward compatibility.
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
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      if (type === MessageType.Invocation)
        optional(f, 'invocationId', m.invocationId, isString, type, 'a string');
      else if (typeof m.invocationId !== 'string')
        throw invalidField('json', type, 'invocationId', 'a string');
      if (typeof m.target !== 'string') throw invalidField('json', type, 'target', 'a string');
      if (!Array.isArray(m.arguments)) throw invalidField('json', type, 'arguments', 'an array');
      optional(f, 'streamIds', m.streamIds, isStringArray, type, 'an array of strings');
      optional(f, 'headers', m.headers, isHeaders, type, HEADERS);
      break;
    case MessageType.StreamItem:
      if (typeof m.invocationId !== 'string') throw invalidField('json', type, 'invocationId', 'a string');
      if (!('item' in m)) throw invalidField('json', type, 'item', 'a value');
      optional(f, 'headers', m.headers, isHeaders, type, HEADERS);
      break;
    case MessageType.Completion:
      if (typeof m.invocationId !== 'string') throw invalidField('json', type, 'invocationId', 'a string');
      optional(f, 'error', m.error, isString, type, 'a string');
      if (m.error !== undefined && 'result' in m) {
        throw new ProtocolError("Completion message: has both 'result' and 'error'.", {
          protocol: 'json',
          messageType: type,
        });
      }
      optional(f, 'headers', m.headers, isHeaders, type, HEADERS);
      break;
    case MessageType.CancelInvocation:
      if (typeof m.invocationId !== 'string') throw invalidField('json', type, 'invocationId', 'a string');
      optional(f, 'headers', m.headers, isHeaders, type, HEADERS);
      break;
    case MessageType.Ping:
      break;
    case MessageType.Close:
      optional(f, 'error', m.error, isString, type, 'a string');
      optional(f, 'allowReconnect', m.allowReconnect, isBoolean, type, 'a boolean');
      break;
    case MessageType.Ack:
    case MessageType.Sequence:
      if (!isSequenceId(m.sequenceId))
        throw invalidField('json', type, 'sequenceId', 'a non-negative integer');
      break;
    default:
      return undefined;
  }
  return value as HubMessage;
}
