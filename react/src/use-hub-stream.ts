import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import {
  HubStreamObserver,
  type MethodArgs,
  type SharedHub,
  type StreamingMethod,
  type StreamItem,
  type StreamSnapshot,
  type UntypedHub,
} from '@hubrx/core';

/** Options of {@link useHubStream}. */
export interface UseHubStreamOptions {
  /** Run the stream (default `true`); `false` cancels it and shows `idle`. */
  readonly enabled?: boolean;
  /** Keep at most this many items, the newest (default: all). `latest` is always the last one. */
  readonly keep?: number;
}

/** What {@link useHubStream} returns. */
export interface UseHubStreamResult<T> extends StreamSnapshot<T> {
  /** Cancels the stream if running and calls it again (e.g. after an error). */
  readonly restart: () => void;
}

/**
 * A server-to-client stream: `{ items, latest, error, status, restart }`, `status` one of `idle`, `streaming`,
 * `complete`, `error`. It starts once the hub is connected (retained while mounted), is cancelled
 * (CancelInvocation) on unmount and when `args` change by value (then the new one starts: inline arrays and
 * objects are fine), is called again after a reconnect, and keeps at most `keep` items.
 *
 * @example
 * ```tsx
 * const { items, status } = useHubStream(chatHub, 'History', [roomId, 50], { keep: 200 });
 * ```
 */
export function useHubStream<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends StreamingMethod<Server> = StreamingMethod<Server>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  args: MethodArgs<Server, K>,
  options: UseHubStreamOptions = {},
): UseHubStreamResult<StreamItem<Server, K>> {
  const { enabled, keep } = options;
  const settings = {
    target,
    args,
    ...(enabled !== undefined && { enabled }),
    ...(keep !== undefined && { keep }),
  };
  const [observer, setObserver] = useState(() => new HubStreamObserver<Server, K>(hub, settings));
  let current = observer;
  if (observer.hub !== hub) {
    current = new HubStreamObserver<Server, K>(hub, settings);
    setObserver(current);
  }
  // Every render: the observer compares by value and restarts only on a change.
  useEffect(() => current.setOptions(settings));
  const snapshot = useSyncExternalStore(current.subscribe, current.getSnapshot, current.getServerSnapshot);
  return useMemo(() => ({ ...snapshot, restart: () => current.restart() }), [snapshot, current]);
}
