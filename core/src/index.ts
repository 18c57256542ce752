/**
 * `@hubrx/core`: an RxJS client for ASP.NET Core SignalR hubs.
 *
 * @packageDocumentation
 */
export { ProtocolError, type ProtocolErrorOptions, type ProtocolName } from './errors.js';
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
