import { ProtocolError } from '@hubrx/core';

const RS = 0x1e;
const utf8 = new TextEncoder();

/** A message over `MaximumReceiveMessageSize`: the connection closes with an error, as ASP.NET Core's does. */
export class MessageTooLargeError extends Error {
  override readonly name = 'InvalidDataException' as const;

  constructor(limit: number) {
    super(
      `The maximum message size of ${limit}B was exceeded. The message size can be configured in AddHubOptions.`,
    );
  }
}

function utf8Length(text: string, start: number, end: number): number {
  return utf8.encode(text.slice(start, end)).length;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Cuts a client's stream of frames into whole hub messages. A frame usually holds whole messages, but the
 * protocol is a byte stream: a message may span frames, so an incomplete tail is kept for the next frame.
 * Every message is checked against the size limit, also while incomplete.
 */
export class IncomingMessages {
  private tail: Uint8Array | string | undefined;

  constructor(
    private readonly binary: boolean,
    private readonly limit: number | null,
  ) {}

  /** Whether a partial message is waiting for more data. */
  get pending(): boolean {
    return this.tail !== undefined;
  }

  /** The complete messages in what has arrived (to give to the protocol's `parse`), or `undefined`. */
  push(data: string | Uint8Array): string | Uint8Array | undefined {
    if (this.binary) {
      if (typeof data === 'string') {
        throw new ProtocolError('The MessagePack hub protocol reads binary frames, not text.', {
          protocol: 'messagepack',
        });
      }
      const bytes = this.tail instanceof Uint8Array ? concat(this.tail, data) : data;
      this.tail = undefined;
      return this.splitBinary(bytes);
    }
    if (typeof data === 'string') {
      const text = typeof this.tail === 'string' ? this.tail + data : data;
      this.tail = undefined;
      return this.splitText(text);
    }
    const bytes = this.tail instanceof Uint8Array ? concat(this.tail, data) : data;
    this.tail = undefined;
    return this.splitTextBytes(bytes);
  }

  /**
   * ASP.NET Core reads through a window of `limit` bytes: a message must fit in it whole, its record separator or
   * length prefix included; bytes of an incomplete message count as soon as they are buffered.
   */
  private checkSize(size: number): void {
    if (this.limit !== null && size > this.limit) throw new MessageTooLargeError(this.limit);
  }

  /** Checks a text message's size in UTF-8 bytes (+ its separator), encoding only when it may be too large. */
  private checkText(text: string, start: number, end: number): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes: most messages are cleared without encoding them.
    if (this.limit !== null && (end - start) * 3 + 1 > this.limit)
      this.checkSize(utf8Length(text, start, end) + 1);
  }

  private splitText(text: string): string | undefined {
    let start = 0;
    let end = text.indexOf('\x1e');
    while (end !== -1) {
      this.checkText(text, start, end);
      start = end + 1;
      end = text.indexOf('\x1e', start);
    }
    if (start < text.length) {
      this.checkText(text, start, text.length);
      this.tail = text.slice(start);
    }
    return start === 0 ? undefined : start === text.length ? text : text.slice(0, start);
  }

  private splitTextBytes(bytes: Uint8Array): Uint8Array | undefined {
    let start = 0;
    let end = bytes.indexOf(RS);
    while (end !== -1) {
      this.checkSize(end - start + 1);
      start = end + 1;
      end = bytes.indexOf(RS, start);
    }
    if (start < bytes.length) {
      // Incomplete: its separator is still to come.
      this.checkSize(bytes.length - start + 1);
      this.tail = bytes.slice(start);
    }
    return start === 0 ? undefined : start === bytes.length ? bytes : bytes.subarray(0, start);
  }

  private splitBinary(bytes: Uint8Array): Uint8Array | undefined {
    let offset = 0;
    while (offset < bytes.length) {
      let size = 0;
      let shift = 0;
      let pos = offset;
      let byte = 0x80;
      while ((byte & 0x80) !== 0 && pos < bytes.length) {
        byte = bytes[pos++]!;
        if (shift === 28 && byte > 0x07) {
          throw new ProtocolError('Message length prefix too large: messages are limited to 2 GB - 1.', {
            protocol: 'messagepack',
          });
        }
        size |= (byte & 0x7f) << shift;
        shift += 7;
      }
      // A prefix cut off by the end of the frame: wait for the rest.
      if ((byte & 0x80) !== 0) break;
      // A large announced size is not refused by itself: only bytes that actually arrive count.
      if (pos + size > bytes.length) break;
      this.checkSize(pos - offset + size);
      offset = pos + size;
    }
    if (offset < bytes.length) {
      this.checkSize(bytes.length - offset);
      this.tail = bytes.slice(offset);
    }
    return offset === 0 ? undefined : offset === bytes.length ? bytes : bytes.subarray(0, offset);
  }
}
