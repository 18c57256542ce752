import * as React from 'react';
import { useEffect, useSyncExternalStore } from 'react';
import type { HubConnection, SharedHub, UntypedHub } from '@hubrx/core';
import { ServerRenderError } from './errors.js';

const subscribeNever = () => () => {};
/** React 19's `use`; React 18 suspends on a thrown Promise instead. */
const use = (React as { use?: <T>(promise: Promise<T>) => T }).use;

/**
 * Like {@link useHub}, but suspends the component until the hub is first connected (render it inside
 * `<Suspense>`; with React 19 through `use`, with 18 by throwing the Promise). It starts the hub itself, since a
 * suspended component has not mounted yet. If the hub cannot connect (its start failed, or the reconnect policy
 * gave up), the error goes to the nearest error boundary; resetting the boundary tries again. Later reconnects do
 * not suspend again: show them with {@link useHubState}.
 *
 * On the server it throws a {@link ServerRenderError}, so the `<Suspense>` fallback is sent and the component
 * renders on the client.
 *
 * @example
 * ```tsx
 * function Room() {
 *   const chat = useSuspenseHub(chatHub); // connected from here on
 *   ...
 * }
 * <Suspense fallback={<Spinner />}><Room /></Suspense>
 * ```
 */
export function useSuspenseHub<Server extends object = UntypedHub, Client extends object = UntypedHub>(
  hub: SharedHub<Server, Client>,
): HubConnection<Server, Client> {
  // Server rendering (and hydration, which the thrown error turns into client rendering) reads the server value.
  const onServer = useSyncExternalStore(
    subscribeNever,
    () => false,
    () => true,
  );
  useEffect(() => hub.retain(), [hub]);
  if (onServer) throw new ServerRenderError();
  const connection = hub.connection;
  // Only the first connection suspends: while reconnecting the component stays.
  const { status } = connection.state;
  if (status === 'connected' || status === 'reconnecting') return connection;
  const ready = hub.ready();
  if (use !== undefined) {
    use(ready);
    return connection;
  }
  // React 18 renders again when a thrown Promise settles, either way: a failure must be thrown as the error.
  const failure = failures.get(ready);
  if (failure !== undefined) throw failure.error;
  if (!failures.has(ready)) {
    failures.set(ready, undefined);
    ready.catch((error: unknown) => failures.set(ready, { error }));
  }
  throw ready; // eslint-disable-line @typescript-eslint/only-throw-error -- React 18's Suspense protocol
}

/** How the Promises React 18 was given settled (`undefined`: not failed, or not yet). */
const failures = new WeakMap<Promise<unknown>, { readonly error: unknown } | undefined>();
