/**
 * Every error hubrx raises is a native `Error` subclass declared in this file, with a literal `name` (so it
 * survives `structuredClone`, logging and cross-realm checks), structured fields, and the underlying `cause`.
 *
 * @packageDocumentation
 */

/** Which part of the protocol a {@link ProtocolError} was raised by: a codec, the handshake, or stateful reconnect's sequencing. */
export type ProtocolName = 'json' | 'messagepack' | 'handshake' | 'sequence';

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

/** The built-in transports, by the names hubrx options use. */
export type TransportName = 'webSockets' | 'serverSentEvents' | 'longPolling';

/** A built-in transport's name, or a custom transport's. */
export type AnyTransportName = TransportName | (string & {});

/**
 * The server completed an invocation with an error: `message` is the server's text, as ASP.NET Core sent it
 * (`An unexpected error occurred invoking 'Add' on the server.`, or the `HubException` message).
 *
 * @example
 * ```ts
 * try {
 *   await connection.invoke('Withdraw', 500);
 * } catch (error) {
 *   if (error instanceof HubError) showToast(error.message);
 * }
 * ```
 */
export class HubError extends Error {
  override readonly name = 'HubError' as const;
  readonly target: string;
  readonly invocationId: string | undefined;

  constructor(
    message: string,
    details: {
      readonly target: string;
      readonly invocationId?: string | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.target = details.target;
    this.invocationId = details.invocationId;
  }
}

/** An HTTP request of the connection (negotiate, a send, a poll) answered with a non-success status. */
export class HttpError extends Error {
  override readonly name = 'HttpError' as const;
  readonly statusCode: number;

  constructor(message: string, statusCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

/** What a 404 to a request naming a connection means: one string for the messages that say it. */
const NOT_KNOWN = 'this server does not know the connection (is the load balancer sticky?)';

/**
 * The server that answered a request of the connection (a WebSocket upgrade, a Server-Sent Events stream, a poll, a
 * send) does not know it: 404 `No Connection with that ID` (the message says `this server does not know the
 * connection (is the load balancer sticky?)`). Behind a load balancer, the request reached another
 * instance than the one that negotiated the connection: sticky sessions are off, or that instance went away (a
 * stateful reconnect landing elsewhere after it died). The reconnect policy starts over with a new negotiate.
 * Where the status is visible: every HTTP request, and in Node the WebSocket upgrade (`nodeWebSocket`) and
 * `eventsource@4`'s stream. Browsers do not show the status of a failed WebSocket or EventSource: there the failure
 * is a {@link TransportError} whose message names this as the likely cause.
 *
 * @example
 * ```ts
 * connection.state$.subscribe(({ lastError }) => {
 *   if (lastError instanceof ConnectionNotFoundError) console.warn('Is the load balancer sticky?', lastError.message);
 * });
 * ```
 */
export class ConnectionNotFoundError extends Error {
  override readonly name = 'ConnectionNotFoundError' as const;
  readonly statusCode = 404 as const;

  /** `request`: what was answered (`GET http://host/hub?id=...`, `The WebSocket upgrade`). */
  constructor(request: string, options?: { cause?: unknown }) {
    super(`${request} answered 404: ${NOT_KNOWN}`, options);
  }
}

/**
 * Appended to a browser's WebSocket or EventSource failure to connect to a negotiated connection, whose HTTP status
 * scripts are not shown: right after negotiate, the usual cause is another instance answering 404 (no sticky
 * sessions), which the message names as the likely one (as the official client's does).
 */
export const HIDDEN_STATUS = ` If its hidden status was 404, ${NOT_KNOWN}`;

/** Negotiation failed: the server refused (`statusCode`), answered with an `error`, or could not be reached. */
export class NegotiateError extends Error {
  override readonly name = 'NegotiateError' as const;
  readonly statusCode: number | undefined;

  constructor(
    message: string,
    options: { readonly statusCode?: number | undefined; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options.statusCode;
  }
}

/** One transport's failure while connecting. */
export interface TransportAttempt {
  readonly transport: AnyTransportName;
  readonly error: Error;
}

/**
 * A transport failed: to connect (`attempts` lists every transport tried and why each failed), or while connected
 * (`transport` is the one that failed).
 */
export class TransportError extends Error {
  override readonly name = 'TransportError' as const;
  readonly transport: AnyTransportName | undefined;
  readonly attempts: readonly TransportAttempt[];

  constructor(
    message: string,
    details: {
      readonly transport?: AnyTransportName;
      readonly attempts?: readonly TransportAttempt[];
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.transport = details.transport;
    this.attempts = details.attempts ?? [];
  }
}

/** Something took longer than allowed: an invocation's `timeoutMs`, an HTTP request, the handshake, the server's silence. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError' as const;
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.timeoutMs = timeoutMs;
  }
}

/** An operation was aborted: by its `AbortSignal`, or by `stop()` while it was under way. */
export class AbortError extends Error {
  override readonly name = 'AbortError' as const;

  constructor(message = 'The operation was aborted.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The connection closed (or could not take the call) before an invocation, stream or send could complete: `cause`
 * is why it closed, when known.
 */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError' as const;
  readonly invocationId: string | undefined;

  constructor(
    message: string,
    options: { readonly invocationId?: string | undefined; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.invocationId = options.invocationId;
  }
}
