import { computed, onScopeDispose } from 'vue';
import type { ConnectionState, HubConnection, SharedHub, UntypedHub } from '@hubrx/core';
import { place, storeRef, type HubRef } from './scope.js';

/**
 * The hub's connection, retained while the current effect scope lives: a component (until unmounted), an
 * `effectScope()` (until stopped) or a Pinia setup store (until `$dispose()`). The first consumer starts the
 * connection; it stops the hub's `graceMs` after the last one is gone. Nothing is opened during server rendering.
 *
 * @example
 * ```ts
 * // <script setup lang="ts">
 * const connection = useHub(chat);
 * const rename = (name: string) => connection.invoke('Rename', name);
 * ```
 */
export function useHub<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  hub: SharedHub<Server, Client>,
): HubConnection<Server, Client> {
  if (place('useHub') === 'scope') onScopeDispose(hub.retain());
  return hub.connection;
}

/**
 * The hub's connection state (`status`, `connectionId`, `transport`, `attempt`, `nextRetryInMs`, `nextRetryAt`,
 * `lastError`) as a read-only ref, set on each change; retains the hub while the current effect scope lives. On the
 * server it is the `disconnected` state.
 *
 * @example
 * ```ts
 * // <script setup lang="ts">
 * const state = useHubState(chat);
 * const label = computed(() =>
 *   state.value.status === 'reconnecting' ? `retrying in ${state.value.nextRetryInMs} ms` : state.value.status,
 * );
 * ```
 */
export function useHubState(hub: SharedHub<object, object>): HubRef<ConnectionState> {
  const state = storeRef(hub.state, place('useHubState'));
  return computed(() => state.value);
}
