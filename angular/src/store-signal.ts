import { computed, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { Store } from '@hubrx/core';
import type { Subscribable } from 'rxjs';
import type { HubContext } from './context.js';

/**
 * A store of core as a signal, subscribed until the context's injector is destroyed (`toSignal` cleans up
 * through its `DestroyRef`). The subscription, and so the connection it may start, is made outside Angular's zone:
 * frames, keep-alive pings and timers neither run change detection in zone.js apps nor keep them from becoming
 * stable (which hydration waits for). A change writes a version signal there; Angular's scheduler then runs change
 * detection for the views that read it, in zone.js apps too. The snapshot itself is read lazily, when something
 * reads the signal: a burst of stream items costs one snapshot, not one per item.
 *
 * On the server it is the store's server snapshot, and nothing is subscribed.
 */
export function storeSignal<T>(store: Store<T>, { injector, zone, server }: HubContext): Signal<T> {
  if (server) {
    const snapshot = store.getServerSnapshot();
    return computed(() => snapshot);
  }
  const changes: Subscribable<number> = {
    subscribe(observer) {
      let version = 0;
      const unsubscribe = zone.runOutsideAngular(() => store.subscribe(() => observer.next?.(++version)));
      return { unsubscribe };
    },
  };
  const version = toSignal(changes, { initialValue: 0, injector });
  return computed(() => {
    version();
    return store.getSnapshot();
  });
}
