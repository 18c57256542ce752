import type { Clock } from '../common/clock.js';

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * Waits `ms` before the next connection attempt. In browsers and workers an `online` event, or the page becoming
 * visible, ends the wait at once (the network or the user is back); while `navigator.onLine` is `false` the wait
 * lasts until the `online` event. Elsewhere (Node) it is a plain timer. `wake` is handed the function that ends it
 * at once (the app's "reconnect now"). Rejects with `signal`'s reason on abort. Every listener is removed when it
 * ends.
 */
export function waitToRetry(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  wake?: (end: () => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const scope =
      typeof globalThis.addEventListener === 'function' ? (globalThis as EventTargetLike) : undefined;
    const doc = (globalThis as { document?: EventTargetLike & { visibilityState?: string } }).document;
    const navigator = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
    let timer: unknown;

    /** Ends the wait: resolves, or rejects with `signal`'s reason once aborted; every listener goes. */
    const end = () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      scope?.removeEventListener('online', end);
      doc?.removeEventListener('visibilitychange', onVisibility);
      signal.removeEventListener('abort', end);
      if (signal.aborted) reject(signal.reason as Error);
      else resolve();
    };
    const onVisibility = () => {
      if (doc?.visibilityState === 'visible') end();
    };
    const onTimer = () => {
      timer = undefined;
      // Offline: trying now would only fail; the `online` event ends the wait.
      if (navigator?.onLine === false && scope !== undefined) return;
      end();
    };

    scope?.addEventListener('online', end);
    doc?.addEventListener('visibilitychange', onVisibility);
    signal.addEventListener('abort', end, { once: true });
    wake?.(end);
    timer = clock.setTimeout(onTimer, ms);
  });
}
