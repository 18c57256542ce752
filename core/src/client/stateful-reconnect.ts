import type { Clock } from '../common/clock.js';
import { MessageBuffer } from './message-buffer.js';
import { positive } from './options.js';

/** Options of {@link statefulReconnect}. */
export interface StatefulReconnectOptions {
  /** Bytes of un-acknowledged messages kept for replay; past it, senders wait (backpressure). Default 100 000. */
  readonly bufferSize?: number;
  /**
   * How long after a loss the connection may be resumed; afterwards the server has dropped it (its
   * `DisconnectTimeout`, 15 s by default) and a new connection is made. Default 15 000 ms.
   */
  readonly reattachWindowMs?: number;
}

/** Stateful reconnect, as enabled by {@link statefulReconnect}: pass it as the `statefulReconnect` option. */
export interface StatefulReconnect {
  readonly bufferSize: number;
  readonly reattachWindowMs: number;
}

/** What the connection uses of the feature; not part of the public type. */
export interface StatefulReconnectFeature extends StatefulReconnect {
  createBuffer(clock: Clock, sendAck: (sequenceId: number) => void): MessageBuffer;
}

/**
 * Enables stateful reconnect: after a drop the client resumes the same server connection on a new transport and
 * replays what the server had not acknowledged, so that no message is lost and the connection id, groups and
 * pending calls survive (WebSockets, .NET 8+ servers with `AllowStatefulReconnects`). An opt-in import, so that
 * apps without it do not ship its code.
 *
 * @example
 * ```ts
 * import { createHubConnection, statefulReconnect } from '@hubrx/core';
 *
 * const connection = createHubConnection({ url: '/hub', statefulReconnect: statefulReconnect({ bufferSize: 1_000_000 }) });
 * ```
 */
export function statefulReconnect(options: StatefulReconnectOptions = {}): StatefulReconnect {
  const bufferSize = positive('statefulReconnect.bufferSize', options.bufferSize, 100_000);
  const feature: StatefulReconnectFeature = {
    bufferSize,
    reattachWindowMs: positive('statefulReconnect.reattachWindowMs', options.reattachWindowMs, 15_000),
    createBuffer: (clock, sendAck) => new MessageBuffer(clock, bufferSize, sendAck),
  };
  return feature;
}
