import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import {
  HubInvokeObserver,
  type InvokableMethod,
  type InvokeSnapshot,
  type MethodArgs,
  type MethodResult,
  type SharedHub,
  type UntypedHub,
} from '@hubrx/core';

/** What {@link useHubInvoke} returns: the latest call's state, and the functions to call and reset. */
export interface UseHubInvokeResult<
  Server extends object,
  K extends InvokableMethod<Server>,
> extends InvokeSnapshot<MethodResult<Server, K>> {
  /** Invokes `target` once connected; the result's Promise (its rejection also shows in `error`). */
  readonly invoke: (...args: MethodArgs<Server, K>) => Promise<MethodResult<Server, K>>;
  /** Back to `idle`; calls under way no longer change the state. */
  readonly reset: () => void;
}

/**
 * Calls the server method `target` on demand: `{ invoke, data, error, pending, status, reset }`. `invoke(...args)`
 * waits for the connection while it is being made and returns the result's Promise; the state follows the latest
 * call, and stops changing once the component unmounts. Retains the hub while mounted.
 *
 * @example
 * ```tsx
 * const { invoke, pending, error } = useHubInvoke(chatHub, 'Send');
 * return <button disabled={pending} onClick={() => void invoke(text)}>{error ? 'Retry' : 'Send'}</button>;
 * ```
 */
export function useHubInvoke<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends InvokableMethod<Server> = InvokableMethod<Server>,
>(hub: SharedHub<Server, Client>, target: K): UseHubInvokeResult<Server, K> {
  const [observer, setObserver] = useState(() => new HubInvokeObserver<Server, K>(hub, target));
  let current = observer;
  if (observer.hub !== hub) {
    // Another hub: another observer (a state update during render, as React recommends for derived state).
    current = new HubInvokeObserver<Server, K>(hub, target);
    setObserver(current);
  }
  useEffect(() => current.setTarget(target), [current, target]);
  const snapshot = useSyncExternalStore(current.subscribe, current.getSnapshot, current.getServerSnapshot);
  return useMemo(() => ({ ...snapshot, invoke: current.invoke, reset: current.reset }), [snapshot, current]);
}
