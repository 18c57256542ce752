/**
 * `@hubrx/core/node`: what a hubrx connection needs in Node beyond the browser APIs. It imports nothing from Node:
 * the `ws` class and the cookie jar (`tough-cookie`) are passed in.
 *
 * @packageDocumentation
 */
export { nodeWebSocket, type NodeWebSocketOptions, type WsWebSocketClass } from './websocket.js';
export { cookieFetch, type CookieJarLike } from './cookies.js';
export type { HeaderWebSocketConstructor } from '../transports/transport.js';
