import { assertInInjectionContext, DestroyRef, inject, Injector, NgZone, PLATFORM_ID } from '@angular/core';

/** The option every `inject*` function takes: where it lives, when it is called outside an injection context. */
export interface InjectHubOptions {
  /**
   * The injector whose lifetime the hub is retained for, and whose `DestroyRef` cleans up: pass it to call the
   * function outside an injection context (e.g. in `ngOnInit`, or with a service's `EnvironmentInjector`).
   */
  readonly injector?: Injector;
}

/** What an `inject*` function needs from where it is called. */
export interface HubContext {
  readonly injector: Injector;
  readonly destroyRef: DestroyRef;
  readonly zone: NgZone;
  /** Rendering on the server: nothing is retained, started or subscribed. */
  readonly server: boolean;
}

/**
 * The injector given, or the current injection context's (throwing Angular's NG0203, naming `fn`, when there is
 * none), with what the bindings take from it. A destroyed injector is an error.
 */
export function hubContext(
  fn: (...args: never[]) => unknown,
  options: InjectHubOptions | undefined,
): HubContext {
  let injector = options?.injector;
  if (injector === undefined) {
    assertInInjectionContext(fn);
    injector = inject(Injector);
  }
  const destroyRef = injector.get(DestroyRef);
  // Before anything is retained: nothing could release it.
  if (destroyRef.destroyed) throw new Error(`${fn.name}(): its injector is already destroyed.`);
  return {
    injector,
    destroyRef,
    zone: injector.get(NgZone),
    // `isPlatformServer` without a dependency on @angular/common.
    server: injector.get(PLATFORM_ID) === 'server',
  };
}
