/**
 * `@hubrx/react`: React hooks for ASP.NET Core SignalR hubs, over the shared hubs of `@hubrx/core`
 * (`createHub`). Each hook adapts a store of core with `useSyncExternalStore`; the state logic lives in core.
 *
 * @packageDocumentation
 */
export { useHub, useHubState } from './use-hub.js';
export { useHubEvent, useHubHandler } from './use-hub-event.js';
export { useHubInvoke, type UseHubInvokeResult } from './use-hub-invoke.js';
export { useHubStream, type UseHubStreamOptions, type UseHubStreamResult } from './use-hub-stream.js';
export { useSuspenseHub } from './use-suspense-hub.js';
export { ServerRenderError } from './errors.js';
export { createHub, type SharedHub, type SharedHubOptions } from '@hubrx/core';
