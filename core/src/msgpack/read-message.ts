import { ProtocolError } from '../errors.js';
import {
  MessageType,
  type CompletionMessage,
  type HubMessage,
  type InvocationMessage,
  type MessageHeaders,
} from '../protocol/messages.js';
import { invalidField, messageName } from '../protocol/validate.js';
import type { MessagePackReader } from './reader.js';

/** Completion result kinds of the MessagePack encoding. */
export const ERROR_RESULT = 1;
export const VOID_RESULT = 2;
export const NON_VOID_RESULT = 3;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function fail(message: string, type?: number): ProtocolError {
  return new ProtocolError(message, { protocol: 'messagepack', messageType: type });
}

function readHeaders(reader: MessagePackReader, type: number): MessageHeaders | undefined {
  if (reader.readEmptyMap()) return undefined;
  const headers = reader.read();
  if (
    typeof headers !== 'object' ||
    headers === null ||
    Array.isArray(headers) ||
    headers instanceof Uint8Array
  ) {
    throw invalidField('messagepack', type, 'headers', 'a map of strings');
  }
  for (const key in headers) {
    if (typeof (headers as Record<string, unknown>)[key] !== 'string') {
      throw invalidField('messagepack', type, 'headers', 'a map of strings');
    }
  }
  return headers as MessageHeaders;
}

function readString(reader: MessagePackReader, type: number, field: string): string {
  const value = reader.readStringValue();
  if (value === undefined) throw invalidField('messagepack', type, field, 'a string');
  return value;
}

function readArguments(reader: MessagePackReader, type: number): unknown[] {
  const value = reader.read();
  if (!Array.isArray(value)) throw invalidField('messagepack', type, 'arguments', 'an array');
  return value;
}

function readStreamIds(reader: MessagePackReader, type: number): string[] {
  const value = reader.read();
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw invalidField('messagepack', type, 'streamIds', 'an array of strings');
  }
  return value;
}

function readSequenceId(reader: MessagePackReader, type: number): number {
  const value = reader.read();
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidField('messagepack', type, 'sequenceId', 'a non-negative integer');
  }
  return value;
}

/** The fewest array elements each known message type needs; more are allowed (forward compatibility). */
const MIN_ELEMENTS: Readonly<Record<number, number>> = {
  1: 5,
  2: 4,
  3: 4,
  4: 5,
  5: 3,
  6: 1,
  7: 2,
  8: 2,
  9: 2,
};

/** Reads one message body (the reader spans exactly that body). `undefined`: unknown type, to be ignored. */
export function readMessage(reader: MessagePackReader): HubMessage | undefined {
  const count = reader.readArrayHeader();
  if (count === undefined) throw fail('A MessagePack hub message must be an array.');
  if (count === 0) throw fail('A MessagePack hub message must not be an empty array.');
  const type = reader.read();
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw fail('A MessagePack hub message must start with an integer message type.');
  }
  const min = MIN_ELEMENTS[type];
  if (min === undefined) return undefined;
  if (count < min)
    throw fail(`${messageName(type)} message: expected at least ${min} elements, got ${count}.`, type);
  let read = min;
  let message: HubMessage;
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const headers = readHeaders(reader, type);
      const invocationId = reader.readNil() ? undefined : readString(reader, type, 'invocationId');
      if (invocationId === undefined && type === MessageType.StreamInvocation) {
        throw invalidField('messagepack', type, 'invocationId', 'a string');
      }
      const target = readString(reader, type, 'target');
      const m: Omit<Mutable<InvocationMessage>, 'type'> & { type: number } = {
        type,
        target,
        arguments: readArguments(reader, type),
      };
      if (invocationId !== undefined) m.invocationId = invocationId;
      if (headers !== undefined) m.headers = headers;
      if (count > 5) {
        const streamIds = readStreamIds(reader, type);
        if (streamIds.length > 0) m.streamIds = streamIds;
        read = 6;
      }
      message = m as HubMessage;
      break;
    }
    case MessageType.StreamItem: {
      const headers = readHeaders(reader, type);
      const invocationId = readString(reader, type, 'invocationId');
      message =
        headers === undefined
          ? { type, invocationId, item: reader.read() }
          : { type, headers, invocationId, item: reader.read() };
      break;
    }
    case MessageType.Completion: {
      const headers = readHeaders(reader, type);
      const m: Mutable<CompletionMessage> = { type, invocationId: readString(reader, type, 'invocationId') };
      if (headers !== undefined) m.headers = headers;
      const kind = reader.read();
      if (kind === ERROR_RESULT || kind === NON_VOID_RESULT) {
        if (count < 5) throw fail(`Completion message: result kind ${kind} needs a fifth element.`, type);
        if (kind === ERROR_RESULT) m.error = readString(reader, type, 'error');
        else m.result = reader.read();
        read = 5;
      } else if (kind !== VOID_RESULT) {
        throw invalidField('messagepack', type, 'resultKind', '1 (error), 2 (void) or 3 (result)');
      }
      message = m;
      break;
    }
    case MessageType.CancelInvocation: {
      const headers = readHeaders(reader, type);
      const invocationId = readString(reader, type, 'invocationId');
      message = headers === undefined ? { type, invocationId } : { type, headers, invocationId };
      break;
    }
    case MessageType.Ping:
      message = { type };
      break;
    case MessageType.Close: {
      const error = reader.readNil() ? undefined : readString(reader, type, 'error');
      let allowReconnect: boolean | undefined;
      if (count > 2 && !reader.readNil()) {
        const value = reader.read();
        if (typeof value !== 'boolean')
          throw invalidField('messagepack', type, 'allowReconnect', 'a boolean');
        allowReconnect = value;
      }
      if (count > 2) read = 3;
      message =
        error === undefined
          ? allowReconnect === undefined
            ? { type }
            : { type, allowReconnect }
          : allowReconnect === undefined
            ? { type, error }
            : { type, error, allowReconnect };
      break;
    }
    default: // Ack, Sequence
      message = { type: type as 8 | 9, sequenceId: readSequenceId(reader, type) };
  }
  // Elements a newer protocol version may append are read and dropped.
  for (; read < count; read++) reader.read();
  if (reader.remaining !== 0) {
    throw fail(`${messageName(type)} message: ${reader.remaining} bytes after the message array.`, type);
  }
  return message;
}
