import { toValue, unref, watch, type MaybeRefOrGetter } from 'vue';
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
import { field, place, storeRef, type HubRef } from './scope.js';

/**
 * A stream's arguments: the list, or a ref or getter of it; each argument may itself be a ref or a getter, and
 * reactive objects inside are read deeply. A change of any of them by value restarts the stream.
 */
export type StreamArgs<A extends readonly unknown[]> = MaybeRefOrGetter<{
  readonly [I in keyof A]: MaybeRefOrGetter<A[I]>;
}>;

/** Options of {@link useHubStream}; each may be a ref or a getter. */
export interface UseHubStreamOptions {
  /** Run the stream (default `true`); `false` cancels it and shows `idle`. */
  readonly enabled?: MaybeRefOrGetter<boolean>;
  /** Keep at most this many items, the newest (default: all). `latest` is always the last one. */
  readonly keep?: MaybeRefOrGetter<number>;
}

/** What {@link useHubStream} returns: the stream's state as read-only refs. */
export interface UseHubStreamResult<T> {
  /** The items received, oldest first; at most `keep` (the newest). */
  readonly items: HubRef<readonly T[]>;
  /** The last item received (also when `keep` is 0). */
  readonly latest: HubRef<T | undefined>;
  /** Why the stream failed (`status: 'error'`), else `null`. */
  readonly error: HubRef<Error | null>;
  /** `idle` (not enabled), `streaming` (running, or waiting for the connection), `complete` or `error`. */
  readonly status: HubRef<StreamStatus>;
  /** Cancels the stream if running and calls it again (e.g. after an error). */
  readonly restart: () => void;
}

/**
 * A server-to-client stream: `{ items, latest, error, status, restart }`, the state as read-only refs. It starts
 * once the hub is connected (retained while the current effect scope lives), is cancelled (CancelInvocation) when
 * the scope is disposed and when `args` change by value (then the new one starts), is called again after a
 * reconnect, and keeps at most `keep` items. `args`, `enabled` and `keep` may be refs or getters.
 *
 * @example
 * ```ts
 * // <script setup lang="ts">
 * const props = defineProps<{ room: string }>();
 * const { items, status } = useHubStream(chat, 'History', [() => props.room, 50], { keep: 200 });
 * ```
 */
export function useHubStream<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends StreamingMethod<Server> = StreamingMethod<Server>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  args: StreamArgs<MethodArgs<Server, K>>,
  options: UseHubStreamOptions = {},
): UseHubStreamResult<StreamItem<Server, K>> {
  const settings = (): StreamObserverOptions<Server, K> => {
    const enabled = toValue(options.enabled);
    const keep = toValue(options.keep);
    return {
      target,
      args: toValue(args).map((arg) => plain(toValue(arg))) as unknown as MethodArgs<Server, K>,
      ...(enabled !== undefined && { enabled }),
      ...(keep !== undefined && { keep }),
    };
  };
  const where = place('useHubStream');
  const observer = new HubStreamObserver<Server, K>(hub, settings());
  const snapshot = storeRef(observer, where);
  // The observer compares by value: only a real change restarts the stream. Stopped with the scope.
  if (where === 'scope') watch(settings, (next) => observer.setOptions(next));
  return {
    items: field(snapshot, 'items'),
    latest: field(snapshot, 'latest'),
    error: field(snapshot, 'error'),
    status: field(snapshot, 'status'),
    restart: () => observer.restart(),
  };
}

/**
 * The value with refs unwrapped and arrays and plain objects copied (so that a reactive object changed in place
 * compares unequal to its earlier copy), read through reactive proxies so that the watcher tracks every member.
 * Anything else (an Observable or AsyncIterable to upload, a Date, a class instance) is passed as it is.
 */
function plain(value: unknown): unknown {
  const inner: unknown = unref(value);
  if (Array.isArray(inner)) return inner.map(plain);
  if (typeof inner !== 'object' || inner === null) return inner;
  const proto: unknown = Object.getPrototypeOf(inner);
  if (proto !== Object.prototype && proto !== null) return inner;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(inner)) copy[key] = plain((inner as Record<string, unknown>)[key]);
  return copy;
}
