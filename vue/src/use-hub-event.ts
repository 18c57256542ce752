import { onScopeDispose } from 'vue';
import type { ClientMethod, ClientResult, MethodArgs, SharedHub, UntypedHub } from '@hubrx/core';
import { place } from './scope.js';

/**
 * Runs `handler` for every call of the server-to-client method `target` while the current effect scope lives
 * (retaining the hub); disposing the scope removes it.
 *
 * @example
 * ```ts
 * // <script setup lang="ts">
 * const messages = ref<string[]>([]);
 * useHubEvent(chat, 'Message', (user, text) => messages.value.push(`${user}: ${text}`));
 * ```
 */
export function useHubEvent<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends ClientMethod<Client> = ClientMethod<Client>,
>(hub: SharedHub<Server, Client>, target: K, handler: (...args: MethodArgs<Client, K>) => void): void {
  if (place('useHubEvent') === 'scope') onScopeDispose(hub.listen(target, handler));
}

/**
 * Answers the server's client-result calls of `target` (`Clients.Client(id).InvokeAsync<T>(...)`) with `fn`: its
 * value, Promise or Observable, while the current effect scope lives (retaining the hub). Once the scope is
 * disposed the server gets "Client didn't provide a result.". One handler per method and hub: a second one at the
 * same time throws.
 *
 * @example
 * ```ts
 * // <script setup lang="ts">
 * useHubHandler(chat, 'Confirm', (question) => window.confirm(question));
 * ```
 */
export function useHubHandler<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends ClientMethod<Client> = ClientMethod<Client>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  fn: (...args: MethodArgs<Client, K>) => ClientResult<Client, K>,
): void {
  if (place('useHubHandler') === 'scope') onScopeDispose(hub.answer(target, fn));
}
