import type { ClientMethod, ClientResult, MethodArgs, SharedHub, UntypedHub } from '@hubrx/core';
import { hubContext, type InjectHubOptions } from './context.js';

/**
 * Runs `handler` for every call of the server-to-client method `target` until the injector is destroyed,
 * retaining the hub meanwhile. Frames arrive outside Angular's zone; the handler runs inside it, as DOM event
 * listeners do (a zone.js app checks its views after it; a zoneless app updates what the handler's signal writes
 * touch). On the server it does nothing.
 *
 * @example
 * ```ts
 * export class Room {
 *   readonly messages = signal<string[]>([]);
 *   constructor() {
 *     injectHubEvent(chatHub, 'Message', (user, text) => this.messages.update((list) => [...list, `${user}: ${text}`]));
 *   }
 * }
 * ```
 */
export function injectHubEvent<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends ClientMethod<Client> = ClientMethod<Client>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  handler: (...args: MethodArgs<Client, K>) => void,
  options?: InjectHubOptions,
): void {
  const { destroyRef, zone, server } = hubContext(injectHubEvent, options);
  if (server) return;
  destroyRef.onDestroy(
    zone.runOutsideAngular(() => hub.listen(target, (...args) => zone.run(() => handler(...args)))),
  );
}

/**
 * Answers the server's client-result calls of `target` (`Clients.Client(id).InvokeAsync<T>(...)`) with `fn` (its
 * value, Promise or Observable) until the injector is destroyed; then the server gets "Client didn't provide a
 * result.". One handler per method and hub at a time: a second one is an error. `fn` runs inside Angular's zone.
 * On the server it does nothing.
 *
 * @example
 * ```ts
 * export class ConfirmDialog {
 *   constructor() {
 *     injectHubHandler(chatHub, 'Confirm', (question) => window.confirm(question));
 *   }
 * }
 * ```
 */
export function injectHubHandler<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends ClientMethod<Client> = ClientMethod<Client>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  fn: (...args: MethodArgs<Client, K>) => ClientResult<Client, K>,
  options?: InjectHubOptions,
): void {
  const { destroyRef, zone, server } = hubContext(injectHubHandler, options);
  if (server) return;
  destroyRef.onDestroy(
    zone.runOutsideAngular(() => hub.answer(target, (...args) => zone.run(() => fn(...args)))),
  );
}
