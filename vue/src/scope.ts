import {
  computed,
  getCurrentInstance,
  getCurrentScope,
  hasInjectionContext,
  inject,
  onMounted,
  onScopeDispose,
  shallowRef,
  ssrContextKey,
  warn,
  type ShallowRef,
} from 'vue';
import type { Store } from '@hubrx/core';

// Replaced by the app's bundler, as in Vue's own builds: the warning below is dropped from production bundles.
declare const process: { readonly env: { readonly NODE_ENV?: string } };

/** A ref the composables hand out: read-only, and not deeply reactive (its value is core's snapshot as is). */
export type HubRef<T> = Readonly<ShallowRef<T>>;

/**
 * Where a composable runs: `scope`, in an active effect scope on the client (it retains the hub and releases it
 * when the scope is disposed); `server`, during server rendering (Vue never disposes a server render's scopes, so
 * nothing may be retained there); `none`, outside any scope, where nothing could release what it retained.
 */
export type Place = 'scope' | 'server' | 'none';

/** Where the calling composable runs; outside a scope it warns in development (as TanStack's Vue adapter does). */
export function place(composable: string): Place {
  if (getCurrentScope() === undefined) {
    if (process.env.NODE_ENV !== 'production') {
      warn(
        `${composable}() was called outside setup(), an effectScope() or a Pinia setup store: it retains no ` +
          'connection and its refs do not update, since nothing could release it.',
      );
    }
    return 'none';
  }
  // renderToString provides its context to the app it renders: present only while rendering on the server.
  return hasInjectionContext() && inject(ssrContextKey, null) !== null ? 'server' : 'scope';
}

/**
 * A store of core as a `shallowRef` set to each new snapshot while the scope lives (subscribing makes the scope a
 * consumer of the hub; disposing it unsubscribes). On the server and outside a scope: the server snapshot, once.
 * A component being hydrated renders the server snapshot first, as the server did, and the live one once mounted.
 */
export function storeRef<T>(store: Store<T>, where: Place): ShallowRef<T> {
  if (where !== 'scope') return shallowRef(store.getServerSnapshot());
  // Hydration gives the component's vnode its existing element before setup; a client render only after.
  let hydrating = getCurrentInstance()?.vnode.el != null;
  const ref = shallowRef(hydrating ? store.getServerSnapshot() : store.getSnapshot());
  const update = () => {
    if (!hydrating) ref.value = store.getSnapshot();
  };
  onScopeDispose(store.subscribe(update));
  if (hydrating) {
    onMounted(() => {
      hydrating = false;
      update();
    });
  } else {
    update(); // what subscribing changed (a connection starting)
  }
  return ref;
}

/**
 * A read-only ref of one field of a snapshot ref. A computed, so that a Pinia setup store returning it takes it
 * for a getter: not state to serialize on the server and overwrite on the client.
 */
export function field<T, K extends keyof T>(snapshot: ShallowRef<T>, key: K): HubRef<T[K]> {
  return computed(() => snapshot.value[key]);
}
