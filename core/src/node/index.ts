/**
 * `@hubrx/core/node`: what a hubrx connection needs in Node beyond the browser APIs. It imports nothing from Node:
 * the `ws` class is passed in.
 *
 * @packageDocumentation
 */
export { nodeWebSocket, type WsWebSocketClass } from './websocket.js';
export type { HeaderWebSocketConstructor } from '../transports/transport.js';
