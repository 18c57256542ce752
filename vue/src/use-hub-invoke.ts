import {
  HubInvokeObserver,
  type InvokableMethod,
  type InvokeStatus,
  type MethodArgs,
  type MethodResult,
  type SharedHub,
  type UntypedHub,
} from '@hubrx/core';
import { field, place, storeRef, type HubRef } from './scope.js';

/** What {@link useHubInvoke} returns: the latest call's state as read-only refs, and the functions to call and reset. */
export interface UseHubInvokeResult<Server extends object, K extends InvokableMethod<Server>> {
  /** Invokes `target` once connected; the result's Promise (its rejection also shows in `error`). */
  readonly invoke: (...args: MethodArgs<Server, K>) => Promise<MethodResult<Server, K>>;
  /** Back to `idle`; calls under way no longer change the refs. */
  readonly reset: () => void;
  /** The latest successful result (kept while a new call is pending). */
  readonly data: HubRef<MethodResult<Server, K> | undefined>;
  /** Why the latest call failed, else `null`. */
  readonly error: HubRef<Error | null>;
  /** Whether the latest call is under way. */
  readonly pending: HubRef<boolean>;
  /** `idle`, `pending`, `success` or `error`. */
  readonly status: HubRef<InvokeStatus>;
}

/**
 * Calls the server method `target` on demand: `{ invoke, data, error, pending, status, reset }`, the state as
 * read-only refs. `invoke(...args)` waits for the connection while it is being made and returns the result's
 * Promise; the refs follow the latest call, and stop changing once the current effect scope is disposed. Retains
 * the hub while the scope lives.
 *
 * @example
 * ```ts
 * // <script setup lang="ts">
 * const { invoke: send, pending, error } = useHubInvoke(chat, 'Send');
 * // <button :disabled="pending" @click="send(room, text)">{{ error ? 'Retry' : 'Send' }}</button>
 * ```
 */
export function useHubInvoke<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends InvokableMethod<Server> = InvokableMethod<Server>,
>(hub: SharedHub<Server, Client>, target: K): UseHubInvokeResult<Server, K> {
  const observer = new HubInvokeObserver<Server, K>(hub, target);
  const snapshot = storeRef(observer, place('useHubInvoke'));
  return {
    invoke: observer.invoke,
    reset: observer.reset,
    data: field(snapshot, 'data'),
    error: field(snapshot, 'error'),
    pending: field(snapshot, 'pending'),
    status: field(snapshot, 'status'),
  };
}
