import { useEffect, useSyncExternalStore } from 'react';
import type { ConnectionState, HubConnection, SharedHub, UntypedHub } from '@hubrx/core';

/**
 * The hub's connection, retained while the component is mounted (the first mounted consumer starts it; it stops
 * the hub's `graceMs` after the last one unmounts). Nothing is opened during server rendering.
 *
 * @example
 * ```tsx
 * function SendButton() {
 *   const chat = useHub(chatHub);
 *   return <button onClick={() => void chat.send('Send', 'hi')}>Send</button>;
 * }
 * ```
 */
export function useHub<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  hub: SharedHub<Server, Client>,
): HubConnection<Server, Client> {
  useEffect(() => hub.retain(), [hub]);
  return hub.connection;
}

/**
 * The hub's connection state (`status`, `connectionId`, `transport`, `attempt`, `nextRetryInMs`, `nextRetryAt`,
 * `lastError`), re-rendering on each change; retains the hub while mounted. On the server it is the `disconnected`
 * state.
 *
 * @example
 * ```tsx
 * function Status() {
 *   const { status, nextRetryInMs } = useHubState(chatHub);
 *   return <span>{status === 'reconnecting' ? `retrying in ${nextRetryInMs} ms` : status}</span>;
 * }
 * ```
 */
export function useHubState(hub: SharedHub<object, object>): ConnectionState {
  const { state } = hub;
  return useSyncExternalStore(state.subscribe, state.getSnapshot, state.getServerSnapshot);
}
