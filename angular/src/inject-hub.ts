import type { Signal } from '@angular/core';
import type { ConnectionState, HubConnection, SharedHub, UntypedHub } from '@hubrx/core';
import { hubContext, type InjectHubOptions } from './context.js';
import { storeSignal } from './store-signal.js';

/**
 * The hub's connection, retained while the injector lives: the first consumer starts it (outside Angular's zone),
 * and it stops the hub's `graceMs` after the last one is destroyed. Call it in an injection context (a field
 * initializer or constructor of a component, directive or service), or pass `{ injector }`. On the server nothing
 * is retained or started.
 *
 * @example
 * ```ts
 * @Component({ template: `<button (click)="send()">Send</button>` })
 * export class SendButton {
 *   readonly #chat = injectHub(chatHub);
 *   send() {
 *     void this.#chat.send('Send', 'hi');
 *   }
 * }
 * ```
 */
export function injectHub<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  hub: SharedHub<Server, Client>,
  options?: InjectHubOptions,
): HubConnection<Server, Client> {
  const { destroyRef, zone, server } = hubContext(injectHub, options);
  if (!server) destroyRef.onDestroy(zone.runOutsideAngular(() => hub.retain()));
  return hub.connection;
}

/**
 * The hub's connection state as a signal (`status`, `connectionId`, `transport`, `attempt`, `nextRetryInMs`,
 * `nextRetryAt`, `lastError`); retains the hub while the injector lives. On the server it is the `disconnected` state.
 *
 * @example
 * ```ts
 * @Component({
 *   template: `@if (state().status === 'reconnecting') { <p>Reconnecting…</p> } @else { <p>{{ state().status }}</p> }`,
 * })
 * export class Status {
 *   readonly state = injectHubState(chatHub);
 * }
 * ```
 */
export function injectHubState(
  hub: SharedHub<object, object>,
  options?: InjectHubOptions,
): Signal<ConnectionState> {
  return storeSignal(hub.state, hubContext(injectHubState, options));
}
