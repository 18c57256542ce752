/**
 * `@hubrx/core/msgpack`: the MessagePack hub protocol, in its own entry point so that apps speaking JSON only
 * never bundle a MessagePack codec.
 *
 * @packageDocumentation
 */
export { messagePackHubProtocol, type MessagePackHubProtocolOptions } from './protocol.js';
