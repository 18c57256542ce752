/**
 * `@hubrx/vue`: Vue composables for ASP.NET Core SignalR hubs, over the shared hubs of `@hubrx/core`
 * (`createHub`). Each composable adapts a store of core to a `shallowRef` and releases it through `onScopeDispose`,
 * so it works in components, `effectScope()`s and Pinia setup stores; the state logic lives in core.
 *
 * @packageDocumentation
 */
export { useHub, useHubState } from './use-hub.js';
export { useHubEvent, useHubHandler } from './use-hub-event.js';
export { useHubInvoke, type UseHubInvokeResult } from './use-hub-invoke.js';
export {
  useHubStream,
  type StreamArgs,
  type UseHubStreamOptions,
  type UseHubStreamResult,
} from './use-hub-stream.js';
export type { HubRef } from './scope.js';
export { createHub, type SharedHub, type SharedHubOptions } from '@hubrx/core';
