/**
 * The SignalR hub messages, as one readonly discriminated union whose field names are those of the JSON hub
 * protocol (`HubProtocol.md` in dotnet/aspnetcore). Both codecs read into and write from these shapes.
 */

// The message types as constants, for hubrx's own code: a bundler inlines them, where `MessageType.Completion`
// stays a property read of an object in every bundle.
export const INVOCATION = 1;
export const STREAM_ITEM = 2;
export const COMPLETION = 3;
export const STREAM_INVOCATION = 4;
export const CANCEL_INVOCATION = 5;
export const PING = 6;
export const CLOSE = 7;
export const ACK = 8;
export const SEQUENCE = 9;

/**
 * Numeric hub message types.
 *
 * @example
 * ```ts
 * if (message.type === MessageType.Completion) console.log(message.invocationId);
 * ```
 */
export const MessageType = {
  Invocation: INVOCATION,
  StreamItem: STREAM_ITEM,
  Completion: COMPLETION,
  StreamInvocation: STREAM_INVOCATION,
  CancelInvocation: CANCEL_INVOCATION,
  Ping: PING,
  Close: CLOSE,
  Ack: ACK,
  Sequence: SEQUENCE,
} as const;

/** One of the numeric values of {@link MessageType}. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Message headers: string keys to string values. Receivers disregard headers they do not understand. */
export type MessageHeaders = Readonly<Record<string, string>>;

/** Invoke `target` on the peer. Without `invocationId` the call is non-blocking: the peer sends no response. */
export interface InvocationMessage {
  readonly type: typeof MessageType.Invocation;
  readonly headers?: MessageHeaders;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  /** Ids of the client-to-server streams that this invocation consumes (upload streaming). */
  readonly streamIds?: readonly string[];
}

/** Invoke a streaming method: the peer answers with StreamItems, then a Completion. */
export interface StreamInvocationMessage {
  readonly type: typeof MessageType.StreamInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
}

/** One item of a stream: a server-to-client result stream or a client-to-server upload. */
export interface StreamItemMessage {
  readonly type: typeof MessageType.StreamItem;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly item: unknown;
}

/**
 * The end of an invocation or stream. `error` set: it failed. Otherwise `result` (possibly `null`) is the return
 * value, and its absence (`undefined`) means a void method. Carrying both is a protocol error.
 */
export interface CompletionMessage {
  readonly type: typeof MessageType.Completion;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly result?: unknown;
  readonly error?: string;
}

/** Ask the callee to cancel a stream or invocation. */
export interface CancelInvocationMessage {
  readonly type: typeof MessageType.CancelInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
}

/** Keep-alive. Carries nothing. */
export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

/** The sender is closing the connection, with an error if it failed; `allowReconnect` invites a reconnect. */
export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

/** Stateful reconnect: every trackable message up to `sequenceId` has been received. */
export interface AckMessage {
  readonly type: typeof MessageType.Ack;
  readonly sequenceId: number;
}

/** Stateful reconnect: the next trackable message the sender sends will carry `sequenceId`. */
export interface SequenceMessage {
  readonly type: typeof MessageType.Sequence;
  readonly sequenceId: number;
}

/** Any hub message. Narrow on `type`. */
export type HubMessage =
  | InvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | StreamInvocationMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;

/**
 * A hub protocol: how hub messages are written to and read from transport frames.
 *
 * @example
 * ```ts
 * const protocol: HubProtocol = jsonHubProtocol();
 * const frame = protocol.write({ type: MessageType.Invocation, invocationId: '1', target: 'Add', arguments: [1, 2] });
 * const [message] = protocol.parse(frame);
 * ```
 */
export interface HubProtocol {
  /** The name sent in the handshake (`json`, `messagepack`). */
  readonly name: string;
  /** The protocol version sent in the handshake. */
  readonly version: number;
  /** Whether frames are text (`string`) or binary (`Uint8Array`). */
  readonly transferFormat: 'text' | 'binary';
  /**
   * Reads every message of one frame. Unknown message types are skipped (forward compatibility); malformed
   * data throws a `ProtocolError`.
   */
  parse(data: string | ArrayBuffer | Uint8Array): HubMessage[];
  /** Writes one message as a complete frame (record separator or length prefix included). */
  write(message: HubMessage): string | Uint8Array;
}
