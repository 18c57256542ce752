import { computed, type Signal } from '@angular/core';
import {
  HubInvokeObserver,
  type InvokableMethod,
  type InvokeStatus,
  type MethodArgs,
  type MethodResult,
  type SharedHub,
  type UntypedHub,
} from '@hubrx/core';
import { hubContext, type InjectHubOptions } from './context.js';
import { ServerRenderError } from './errors.js';
import { storeSignal } from './store-signal.js';

/** What {@link injectHubInvoke} returns: the latest call's state as signals, and the functions to call and reset. */
export interface HubInvoke<Server extends object, K extends InvokableMethod<Server>> {
  /** The latest successful result (kept while a new call is pending). */
  readonly value: Signal<MethodResult<Server, K> | undefined>;
  /** Why the latest call failed, else `null`. */
  readonly error: Signal<Error | null>;
  /** Whether the latest call is under way. */
  readonly pending: Signal<boolean>;
  /** `idle` (not called, or reset), `pending`, `success` or `error`. */
  readonly status: Signal<InvokeStatus>;
  /**
   * Invokes `target` once connected; the result's Promise (its rejection also shows in `error`, and is not
   * reported as unhandled). On the server it rejects with a {@link ServerRenderError} and connects nothing.
   */
  readonly invoke: (...args: MethodArgs<Server, K>) => Promise<MethodResult<Server, K>>;
  /** Back to `idle`; calls under way no longer change the signals. */
  readonly reset: () => void;
}

/**
 * Calls the server method `target` on demand: `{ invoke, value, error, pending, status, reset }`.
 * `invoke(...args)` waits for the connection while it is being made and returns the result's Promise; the signals
 * follow the latest call, and stop changing once the injector is destroyed. Retains the hub while the injector
 * lives.
 *
 * @example
 * ```ts
 * @Component({
 *   template: `
 *     <button [disabled]="send.pending()" (click)="send.invoke('general', text)">Send</button>
 *     @if (send.error(); as error) { <span role="alert">{{ error.message }}</span> }
 *   `,
 * })
 * export class Composer {
 *   text = '';
 *   readonly send = injectHubInvoke(chatHub, 'Send');
 * }
 * ```
 */
export function injectHubInvoke<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends InvokableMethod<Server> = InvokableMethod<Server>,
>(hub: SharedHub<Server, Client>, target: K, options?: InjectHubOptions): HubInvoke<Server, K> {
  const context = hubContext(injectHubInvoke, options);
  const observer = new HubInvokeObserver<Server, K>(hub, target);
  const snapshot = storeSignal(observer, context);
  const { zone, server } = context;
  return {
    value: computed(() => snapshot().data),
    error: computed(() => snapshot().error),
    pending: computed(() => snapshot().pending),
    status: computed(() => snapshot().status),
    invoke: server
      ? () => {
          const refused = Promise.reject(new ServerRenderError());
          refused.catch(() => {});
          return refused;
        }
      : // Outside the zone: a call that (re)starts the connection must not start it in the zone.
        (...args) => zone.runOutsideAngular(() => observer.invoke(...args)),
    reset: observer.reset,
  };
}
