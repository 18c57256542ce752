/**
 * `@hubrx/angular`: signals and injection-context functions for ASP.NET Core SignalR hubs, over the shared hubs of
 * `@hubrx/core` (`createHub`). Each function adapts a store of core with `toSignal` and cleans up through
 * `DestroyRef`; the state logic lives in core.
 *
 * @packageDocumentation
 */
export { injectHub, injectHubState } from './inject-hub.js';
export { injectHubEvent, injectHubHandler } from './inject-hub-event.js';
export { injectHubInvoke, type HubInvoke } from './inject-hub-invoke.js';
export {
  injectHubStream,
  type HubStream,
  type InjectHubStreamOptions,
  type Reactive,
} from './inject-hub-stream.js';
export type { InjectHubOptions } from './context.js';
export { ServerRenderError } from './errors.js';
export { createHub, type SharedHub, type SharedHubOptions } from '@hubrx/core';
