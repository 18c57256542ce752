import { computed, effect, untracked, type Signal } from '@angular/core';
import {
  HubStreamObserver,
  type MethodArgs,
  type SharedHub,
  type StreamingMethod,
  type StreamItem,
  type StreamObserverOptions,
  type StreamStatus,
  type UntypedHub,
} from '@hubrx/core';
import { hubContext, type InjectHubOptions } from './context.js';
import { storeSignal } from './store-signal.js';

/** A value, or a function of signals (a `Signal`, a `computed`, an arrow reading inputs) giving it. */
export type Reactive<T> = T | (() => T);

/** Options of {@link injectHubStream}. */
export interface InjectHubStreamOptions extends InjectHubOptions {
  /** Run the stream (default `true`); `false` cancels it and shows `idle`. A signal toggles it. */
  readonly enabled?: Reactive<boolean>;
  /** Keep at most this many items, the newest (default: all). `latest` is always the last one. */
  readonly keep?: Reactive<number>;
}

/** What {@link injectHubStream} returns: the stream's state as signals. */
export interface HubStream<T> {
  /** The items received, oldest first (at most `keep`). */
  readonly items: Signal<readonly T[]>;
  /** The last item received. */
  readonly latest: Signal<T | undefined>;
  /** Why the stream failed (`status` `error`), else `null`. */
  readonly error: Signal<Error | null>;
  /** `idle` (not enabled), `streaming` (running, or waiting for the connection), `complete` or `error`. */
  readonly status: Signal<StreamStatus>;
  /** Cancels the stream if running and calls it again (e.g. after an error). */
  readonly restart: () => void;
}

/**
 * A server-to-client stream as signals: `{ items, latest, error, status, restart }`. It starts once the hub is
 * connected (retained while the injector lives), is cancelled (CancelInvocation) when the injector is destroyed and
 * when `args` change by value (then the new one starts), is called again after a reconnect, and keeps at most
 * `keep` items. `args`, `enabled` and `keep` may be signals or functions of signals (inputs included): they are
 * read in an effect, so the stream starts with the first change detection. On the server it is `idle`.
 *
 * @example
 * ```ts
 * @Component({
 *   template: `@for (m of history.items(); track m.id) { <li>{{ m.user }}: {{ m.text }}</li> }`,
 * })
 * export class Room {
 *   readonly room = input.required<string>();
 *   // A new room cancels the old stream and calls History(room, 50).
 *   readonly history = injectHubStream(chatHub, 'History', () => [this.room(), 50], { keep: 500 });
 * }
 * ```
 */
export function injectHubStream<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends StreamingMethod<Server> = StreamingMethod<Server>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  // NoInfer around the union: an arrow returning an array literal is then read as the tuple.
  args: NoInfer<Reactive<MethodArgs<Server, K>>>,
  options: InjectHubStreamOptions = {},
): HubStream<StreamItem<Server, K>> {
  const context = hubContext(injectHubStream, options);
  const { enabled, keep } = options;
  const settings = (): StreamObserverOptions<Server, K> => {
    const next = { target, args: read(args), enabled: read(enabled) ?? true };
    return keep === undefined ? next : { ...next, keep: read(keep) };
  };
  // Functions are read in an effect, once inputs are set: until then the stream waits, disabled.
  const reactive = [args, enabled, keep].some((value) => typeof value === 'function');
  const observer = new HubStreamObserver<Server, K>(
    hub,
    reactive ? { target, args: [] as unknown as MethodArgs<Server, K>, enabled: false } : settings(),
  );
  const snapshot = storeSignal(observer, context);
  const { zone, server, injector } = context;
  if (reactive && !server) {
    effect(
      () => {
        const next = settings();
        // setOptions compares by value: equal arguments keep the stream running.
        untracked(() => zone.runOutsideAngular(() => observer.setOptions(next)));
      },
      { injector },
    );
  }
  return {
    items: computed(() => snapshot().items),
    latest: computed(() => snapshot().latest),
    error: computed(() => snapshot().error),
    status: computed(() => snapshot().status),
    restart: () => zone.runOutsideAngular(() => observer.restart()),
  };
}

function read<T>(value: Reactive<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value;
}
