import { ProtocolError } from '../errors.js';
import type { HubMessage, HubProtocol } from './messages.js';
import { decodeUtf8, RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './record-separator.js';
import { readServerEnvelope } from './json-envelope.js';
import { toHubMessage } from './validate.js';

/** Options of {@link jsonHubProtocol}. */
export interface JsonHubProtocolOptions {
  /**
   * Passed to `JSON.parse` for every message (it sees the envelope too, so leave `type`, `target`, ... alone),
   * e.g. to turn ISO date strings into `Date`s.
   */
  readonly reviver?: (this: unknown, key: string, value: unknown) => unknown;
  /**
   * Passed to `JSON.stringify` for every message, e.g. to write `Uint8Array`s as base64 the way
   * ASP.NET Core's `System.Text.Json` reads `byte[]`. Without it, values are written as `JSON.stringify` does.
   */
  readonly replacer?: (this: unknown, key: string, value: unknown) => unknown;
}

function parseRecord(text: string, reviver: JsonHubProtocolOptions['reviver']): unknown {
  try {
    return JSON.parse(text, reviver);
  } catch (cause) {
    throw new ProtocolError(`Malformed JSON hub message: ${(cause as Error).message}`, {
      protocol: 'json',
      cause,
    });
  }
}

/**
 * Reads the records of one frame. A raw 0x1E cannot occur inside a JSON text (control characters must be
 * escaped in strings), so the frame splits on it without any JSON awareness.
 */
function parseFrame(text: string, reviver: JsonHubProtocolOptions['reviver']): HubMessage[] {
  // Created with its first message: a frame mostly holds one, and `[m]` spares `[]`'s first growth on `push`.
  let messages: HubMessage[] | undefined;
  const length = text.length;
  if (length === 0) return [];
  if (text.charCodeAt(length - 1) !== RECORD_SEPARATOR_CODE) {
    throw new ProtocolError('Incomplete JSON hub frame: it does not end with the record separator (0x1E).', {
      protocol: 'json',
    });
  }
  let start = 0;
  while (start < length) {
    const end = text.indexOf(RECORD_SEPARATOR, start);
    // A reviver must see every key, envelope included, so it always takes the ordinary path.
    const message =
      (reviver === undefined ? readServerEnvelope(text, start, end) : undefined) ??
      toHubMessage(parseRecord(text.slice(start, end), reviver));
    if (message !== undefined) {
      if (messages === undefined) messages = [message];
      else messages.push(message);
    }
    start = end + 1;
  }
  return messages ?? [];
}

/**
 * The JSON hub protocol (`json`, version 2): one JSON object per message, each terminated by 0x1E.
 *
 * Parsed messages are the objects `JSON.parse` produced, validated in place: no copy per message.
 *
 * @example
 * ```ts
 * import { jsonHubProtocol, MessageType } from '@hubrx/core';
 *
 * const json = jsonHubProtocol();
 * json.write({ type: MessageType.Invocation, invocationId: '1', target: 'Add', arguments: [1, 2] });
 * // '{"type":1,"invocationId":"1","target":"Add","arguments":[1,2]}\x1e'
 * json.parse('{"type":3,"invocationId":"1","result":3}\x1e');
 * // [{ type: 3, invocationId: '1', result: 3 }]
 * ```
 */
export function jsonHubProtocol(options: JsonHubProtocolOptions = {}): HubProtocol {
  const { reviver, replacer } = options;
  return {
    name: 'json',
    version: 2,
    transferFormat: 'text',
    parse(data) {
      if (typeof data === 'string') return parseFrame(data, reviver);
      let text: string;
      try {
        text = decodeUtf8(data);
      } catch (cause) {
        throw new ProtocolError('JSON hub frame is not valid UTF-8.', { protocol: 'json', cause });
      }
      return parseFrame(text, reviver);
    },
    write(message) {
      if (typeof message !== 'object' || message === null) {
        throw new ProtocolError('Cannot write a hub message that is not an object.', { protocol: 'json' });
      }
      let text: string | undefined;
      try {
        text = JSON.stringify(message, replacer);
      } catch (cause) {
        // Circular structures and BigInts end up here.
        throw new ProtocolError(`Cannot write the message as JSON: ${(cause as Error).message}`, {
          protocol: 'json',
          messageType: message.type,
          cause,
        });
      }
      if (text === undefined) {
        throw new ProtocolError('Cannot write the message as JSON: the replacer dropped it.', {
          protocol: 'json',
          messageType: message.type,
        });
      }
      return text + RECORD_SEPARATOR;
    },
  };
}
