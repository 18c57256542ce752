import { Encoder, type ExtensionCodecType } from '@msgpack/msgpack';
import { ProtocolError } from '../errors.js';
import { MessageType, type HubMessage, type HubProtocol, type MessageHeaders } from '../protocol/messages.js';
import {
  MAX_BINARY_MESSAGE_SIZE,
  readFrameBody,
  varintSize,
  writeVarint,
  type FrameCursor,
} from './binary-framing.js';
import { ERROR_RESULT, NON_VOID_RESULT, readMessage, VOID_RESULT } from './read-message.js';
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

// Headers are written even when absent: the spec's arrays have no optional middle elements.
const NO_HEADERS: MessageHeaders = Object.freeze({});
const NO_STREAM_IDS: readonly string[] = Object.freeze([]);
// A Ping never changes: a 1-byte length prefix and [6].
const PING_FRAME = new Uint8Array([0x02, 0x91, MessageType.Ping]);

function fail(message: string, type?: number): ProtocolError {
  return new ProtocolError(message, { protocol: 'messagepack', messageType: type });
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
    // A plain Uint8Array view (not a copy) of Node Buffers and other subclasses, so that byte-array values, which are
    // views of the frame, are plain Uint8Arrays whatever the transport handed over.
    const bytes =
      data instanceof Uint8Array
        ? Object.getPrototypeOf(data) === Uint8Array.prototype
          ? data
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
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
