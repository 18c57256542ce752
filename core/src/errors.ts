/**
 * Every error hubrx raises is a native `Error` subclass declared in this file, with a literal `name` (so it
 * survives `structuredClone`, logging and cross-realm checks), structured fields, and the underlying `cause`.
 *
 * @packageDocumentation
 */

/** Which wire format a {@link ProtocolError} was raised by. */
export type ProtocolName = 'json' | 'messagepack' | 'handshake';

/** Structured details of a {@link ProtocolError}. */
export interface ProtocolErrorOptions {
  /** The protocol whose parser or writer rejected the data. */
  readonly protocol: ProtocolName;
  /** The hub message type being read or written, when it was known. */
  readonly messageType?: number | undefined;
  /** The lower-level error (a `SyntaxError` from `JSON.parse`, a MessagePack decode error, ...). */
  readonly cause?: unknown;
}

/**
 * Data on the wire did not follow the SignalR hub protocol: malformed JSON or MessagePack, a message that is not
 * an object (JSON) or array (MessagePack), a missing or wrong-typed field, a Completion carrying both `result` and
 * `error`, a truncated or oversized length prefix, or a missing record separator.
 *
 * @example
 * ```ts
 * import { jsonHubProtocol, ProtocolError } from '@hubrx/core';
 *
 * try {
 *   jsonHubProtocol().parse('{"type":1}\x1e');
 * } catch (error) {
 *   if (error instanceof ProtocolError) console.log(error.protocol, error.messageType, error.message);
 *   // 'json' 1 "Invocation message: missing or invalid 'target' (expected a string)."
 * }
 * ```
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError' as const;
  readonly protocol: ProtocolName;
  readonly messageType: number | undefined;

  constructor(message: string, options: ProtocolErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.protocol = options.protocol;
    this.messageType = options.messageType;
  }
}
