import { Encoder, type ExtensionCodecType } from '@msgpack/msgpack';
import { ProtocolError } from '../errors.js';
import {
  MessageType,
  type CompletionMessage,
  type HubMessage,
  type HubProtocol,
  type InvocationMessage,
  type MessageHeaders,
} from '../protocol/messages.js';
import { invalidField, messageName } from '../protocol/validate.js';
import {
  MAX_BINARY_MESSAGE_SIZE,
  readFrameBody,
  varintSize,
  writeVarint,
  type FrameCursor,
} from './binary-framing.js';
import { MessagePackReader, type MessagePackReadOptions } from './reader.js';

/**
 * Options of {@link messagePackHubProtocol}; names and meanings are those of `@msgpack/msgpack`'s encoder and
 * decoder options.
 */
export interface MessagePackHubProtocolOptions extends MessagePackReadOptions {
  readonly extensionCodec?: ExtensionCodecType<undefined>;
  /** Write non-integer numbers as float32 (default float64). */
  readonly forceFloat32?: boolean;
  /** Write integers as floats. */
  readonly forceIntegerToFloat?: boolean;
  /** Leave out object properties whose value is `undefined` (as `JSON.stringify` does). */
  readonly ignoreUndefined?: boolean;
  /** Write object keys sorted, for canonical output. */
  readonly sortKeys?: boolean;
  /** Initial size of the reusable encode buffer (default 2048 bytes). */
  readonly initialBufferSize?: number;
  /**
   * Write every Invocation and StreamInvocation with its stream-id array, empty when it has none (6 elements), as
   * ASP.NET Core's server does. By default the array is written only when the message has a `streamIds` property
   * (empty or not), as the official JavaScript client does, so a plain Invocation has 5 elements.
   */
  readonly writeEmptyStreamIds?: boolean;
}

const ERROR_RESULT = 1;
const VOID_RESULT = 2;
const NON_VOID_RESULT = 3;
// Headers are written even when absent: the spec's arrays have no optional middle elements.
const NO_HEADERS: MessageHeaders = Object.freeze({});
const NO_STREAM_IDS: readonly string[] = Object.freeze([]);
// A Ping never changes: a 1-byte length prefix and [6].
const PING_FRAME = new Uint8Array([0x02, 0x91, MessageType.Ping]);

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
function readMessage(reader: MessagePackReader): HubMessage | undefined {
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

/**
 * The MessagePack hub protocol (`messagepack`, version 2): each message a MessagePack array behind a VarInt
 * length prefix, several per frame. Byte arrays read as `Uint8Array` views of the frame (no copy) and timestamps
 * as `Date`; int64 as numbers unless `useBigInt64`.
 *
 * Import it from `@hubrx/core/msgpack` so that JSON-only apps never bundle a MessagePack codec.
 *
 * @example
 * ```ts
 * import { MessageType } from '@hubrx/core';
 * import { messagePackHubProtocol } from '@hubrx/core/msgpack';
 *
 * const msgpack = messagePackHubProtocol();
 * const frame = msgpack.write({ type: MessageType.Invocation, invocationId: '1', target: 'Add', arguments: [1, 2] });
 * msgpack.parse(frame); // [{ type: 1, invocationId: '1', target: 'Add', arguments: [1, 2] }]
 * ```
 */
export function messagePackHubProtocol(options: MessagePackHubProtocolOptions = {}): HubProtocol {
  const reader = new MessagePackReader(options);
  const encoder = new Encoder({
    ...(options.extensionCodec && { extensionCodec: options.extensionCodec }),
    ...(options.useBigInt64 !== undefined && { useBigInt64: options.useBigInt64 }),
    ...(options.maxDepth !== undefined && { maxDepth: options.maxDepth }),
    ...(options.initialBufferSize !== undefined && { initialBufferSize: options.initialBufferSize }),
    ...(options.sortKeys !== undefined && { sortKeys: options.sortKeys }),
    ...(options.forceFloat32 !== undefined && { forceFloat32: options.forceFloat32 }),
    ...(options.ignoreUndefined !== undefined && { ignoreUndefined: options.ignoreUndefined }),
    ...(options.forceIntegerToFloat !== undefined && { forceIntegerToFloat: options.forceIntegerToFloat }),
  });
  const cursor: FrameCursor = { start: 0, end: 0 };
  const defaultStreamIds = options.writeEmptyStreamIds === true ? NO_STREAM_IDS : undefined;

  function parse(data: string | ArrayBuffer | Uint8Array): HubMessage[] {
    if (typeof data === 'string') {
      throw new ProtocolError('The MessagePack hub protocol reads binary frames, not text.', {
        protocol: 'messagepack',
      });
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const messages: HubMessage[] = [];
    cursor.end = 0;
    try {
      while (cursor.end < bytes.length) {
        cursor.start = cursor.end;
        readFrameBody(bytes, cursor);
        reader.reset(bytes, cursor.start, cursor.end);
        const message = readMessage(reader);
        if (message !== undefined) messages.push(message);
      }
    } finally {
      reader.release();
    }
    return messages;
  }

  function body(message: HubMessage): unknown[] {
    switch (message.type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation: {
        const {
          type,
          headers = NO_HEADERS,
          invocationId = null,
          target,
          streamIds = defaultStreamIds,
        } = message;
        return streamIds === undefined
          ? [type, headers, invocationId, target, message.arguments]
          : [type, headers, invocationId, target, message.arguments, streamIds];
      }
      case MessageType.StreamItem:
        return [message.type, message.headers ?? NO_HEADERS, message.invocationId, message.item];
      case MessageType.Completion:
        if (message.error !== undefined) {
          return [
            message.type,
            message.headers ?? NO_HEADERS,
            message.invocationId,
            ERROR_RESULT,
            message.error,
          ];
        }
        return message.result === undefined
          ? [message.type, message.headers ?? NO_HEADERS, message.invocationId, VOID_RESULT]
          : [
              message.type,
              message.headers ?? NO_HEADERS,
              message.invocationId,
              NON_VOID_RESULT,
              message.result,
            ];
      case MessageType.CancelInvocation:
        return [message.type, message.headers ?? NO_HEADERS, message.invocationId];
      case MessageType.Close:
        return [message.type, message.error ?? null, message.allowReconnect ?? false];
      case MessageType.Ack:
      case MessageType.Sequence:
        return [message.type, message.sequenceId];
      default:
        throw fail(
          `Cannot write a hub message of unknown type ${String((message as { type?: unknown }).type)}.`,
        );
    }
  }

  function write(message: HubMessage): Uint8Array {
    if (typeof message !== 'object' || message === null) {
      throw fail('Cannot write a hub message that is not an object.');
    }
    if (message.type === MessageType.Ping) return PING_FRAME.slice();
    let payload: Uint8Array;
    try {
      // A view of the encoder's reusable buffer, copied once below behind the length prefix.
      payload = encoder.encodeSharedRef(body(message));
    } catch (cause) {
      if (cause instanceof ProtocolError) throw cause;
      throw new ProtocolError(`Cannot write the message as MessagePack: ${(cause as Error).message}`, {
        protocol: 'messagepack',
        messageType: message.type,
        cause,
      });
    }
    const size = payload.length;
    if (size > MAX_BINARY_MESSAGE_SIZE)
      throw fail('Cannot write a message larger than 2 GB - 1.', message.type);
    const frame = new Uint8Array(varintSize(size) + size);
    frame.set(payload, writeVarint(frame, 0, size));
    return frame;
  }

  return { name: 'messagepack', version: 2, transferFormat: 'binary', parse, write };
}
