/**
 * `@hubrx/core`: an RxJS client for ASP.NET Core SignalR hubs.
 *
 * @packageDocumentation
 */
export { createHubConnection, HubConnection, type StartOptions } from './client/hub-connection.js';
export type { HubConnectionOptions } from './client/options.js';
export {
  statefulReconnect,
  type StatefulReconnect,
  type StatefulReconnectOptions,
} from './client/stateful-reconnect.js';
export { outbox, type Outbox, type OutboxOptions } from './client/outbox.js';
export { HubCall, HubStream, type CallOptions } from './client/calls.js';
export type {
  ClientMethod,
  ClientResult,
  InvokableMethod,
  MethodArgs,
  MethodResult,
  StreamingMethod,
  StreamItem,
  StreamResult,
  UntypedHub,
  Upload,
} from './client/typed.js';
export type { ConnectionState, ConnectionStatus } from './client/state.js';
export {
  exponentialBackoff,
  fixedDelays,
  noReconnect,
  type ExponentialBackoffOptions,
  type ReconnectPolicy,
  type RetryContext,
} from './client/reconnect-policy.js';
export type { AccessTokenContext, AccessTokenFactory } from './common/access-tokens.js';
export { consoleLogger, type Logger, type LogLevel } from './common/logger.js';
export { systemClock, type Clock } from './common/clock.js';
export type {
  EventSourceConstructor,
  TransferFormat,
  Transport,
  TransportEvents,
  WebSocketConstructor,
} from './transports/transport.js';
export {
  AbortError,
  ConnectionClosedError,
  ConnectionNotFoundError,
  HttpError,
  HubError,
  NegotiateError,
  ProtocolError,
  TimeoutError,
  TransportError,
  type AnyTransportName,
  type ProtocolErrorOptions,
  type ProtocolName,
  type TransportAttempt,
  type TransportName,
} from './errors.js';
export {
  MessageType,
  type AckMessage,
  type CancelInvocationMessage,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type HubProtocol,
  type InvocationMessage,
  type MessageHeaders,
  type PingMessage,
  type SequenceMessage,
  type StreamInvocationMessage,
  type StreamItemMessage,
} from './protocol/messages.js';
export { jsonHubProtocol, type JsonHubProtocolOptions } from './protocol/json.js';
export {
  parseHandshakeRequest,
  parseHandshakeResponse,
  writeHandshakeRequest,
  writeHandshakeResponse,
  type HandshakeParseResult,
  type HandshakeRequest,
  type HandshakeResponse,
} from './protocol/handshake.js';
export { createHub, SharedHub, type SharedHubOptions } from './shared/hub.js';
export { toStore, type Store, type ToStoreOptions } from './shared/store.js';
export {
  HubStreamObserver,
  type StreamObserverOptions,
  type StreamSnapshot,
  type StreamStatus,
} from './shared/stream-observer.js';
export { HubInvokeObserver, type InvokeSnapshot, type InvokeStatus } from './shared/invoke-observer.js';
export { equalArgs } from './shared/equal.js';
