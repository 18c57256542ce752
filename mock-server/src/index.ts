/**
 * `@hubrx/mock-server`: a real SignalR hub server in TypeScript for frontend tests. It behaves like ASP.NET Core
 * SignalR on the wire (negotiate, WebSockets, Server-Sent Events, Long Polling, JSON and MessagePack, stateful
 * reconnect), runs on a port (this entry) or in-process as msw handlers (`@hubrx/mock-server/msw`), and lets
 * tests watch every message and inject faults.
 *
 * @packageDocumentation
 */
export { createMockHubServer, type MockHubServer, type MockHubServerOptions } from './node/node-server.js';
export {
  MockHubEngine,
  type HubContext,
  type Middleware,
  type MockHub,
  type MockHubOptions,
  type Route,
  type RouteContext,
} from './server/engine.js';
export { defineHub } from './hub/define-hub.js';
export type {
  ClientProxy,
  ConnectionRequest,
  GroupManager,
  HubAuthorization,
  HubCallerClients,
  HubCallerContext,
  HubClients,
  HubDefinition,
  HubInvocationContext,
  HubMethod,
  HubMethodDescriptor,
  HubUser,
  MethodAuthorization,
  NegotiateAnswer,
  ParameterType,
  SingleClientProxy,
  TransportName,
} from './hub/types.js';
export { HubException, JwtError, MockServerError, type JwtFailure } from './errors.js';
export type { ConnectionOptions, HubOptions, ProtocolOptions } from './server/options.js';
export type {
  Condition,
  ConnectionHandle,
  Faults,
  LogEntry,
  MessageFilter,
  ServerEvent,
} from './server/controls.js';
export type { ConnectionHandler, RawConnection } from './server/raw-connection.js';
export { TEST_SIGNING_KEY, type AuthOptions } from './auth/authenticate.js';
export type { JwtPayload } from './auth/jwt.js';
export { authorizedHub, echoConnection, testHub, testPreset } from './presets/test-hub.js';
export { presets } from './presets/index.js';
export {
  chatErrors,
  chatHub,
  chatPreset,
  CHAT_DEMO_PASSWORD,
  CHAT_DEMO_USERS,
  CHAT_HISTORY_LENGTH,
  CHAT_HUB_PATH,
  CHAT_LOGIN_COOKIE,
  CHAT_MAX_LONG_MESSAGE_LENGTH,
  CHAT_MAX_MESSAGE_LENGTH,
  CHAT_ROOMS,
  type ChatPresetOptions,
} from './presets/chat.js';
export type { ChatRoomMessage } from './presets/chat-state.js';
export type { PresetSettings } from './presets/index.js';
export {
  loginCookieKey,
  loginRoutes,
  type LoginRoutesOptions,
  type TokenResponseBody,
} from './auth/login-routes.js';
export type { StaticMounts } from './node/static-files.js';
