import type { AnyTransportName } from '../errors.js';

/** Where a connection is in its life. */
export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'disconnecting';

/**
 * The connection's state: one value, changed only by {@link reduceState}.
 *
 * - `connectionId`: the server's id of the current connection (`null` when there is none, or with
 *   `skipNegotiation`);
 * - `transport`: the transport in use (`null` when not connected);
 * - `attempt`: while reconnecting (or retrying the first start), the number of the attempt under way or next,
 *   from 1 (0 otherwise);
 * - `nextRetryInMs`: while waiting between attempts, how long the wait is;
 * - `nextRetryAt`: while waiting, when it ends, on the connection's clock (`Date.now()` unless `clock` is set): what
 *   a countdown counts to;
 * - `lastError`: why the connection was last lost or closed, or why the last attempt failed.
 */
export interface ConnectionState {
  readonly status: ConnectionStatus;
  readonly connectionId: string | null;
  readonly transport: AnyTransportName | null;
  readonly attempt: number;
  readonly nextRetryInMs: number | null;
  readonly nextRetryAt: number | null;
  readonly lastError: Error | null;
}

/** What happens to a connection. */
export type StateEvent =
  | { readonly type: 'starting' }
  | { readonly type: 'connected'; readonly connectionId: string | null; readonly transport: AnyTransportName }
  | { readonly type: 'lost'; readonly error: Error | null }
  | {
      readonly type: 'waiting';
      readonly attempt: number;
      readonly delayMs: number;
      readonly at: number;
      readonly error: Error;
    }
  | { readonly type: 'attempting'; readonly attempt: number }
  | { readonly type: 'stopping' }
  | { readonly type: 'closed'; readonly error: Error | null };

export const initialState: ConnectionState = {
  status: 'disconnected',
  connectionId: null,
  transport: null,
  attempt: 0,
  nextRetryInMs: null,
  nextRetryAt: null,
  lastError: null,
};

/** The one function that changes a connection's state. */
export function reduceState(state: ConnectionState, event: StateEvent): ConnectionState {
  switch (event.type) {
    case 'starting':
      return { ...initialState, status: 'connecting', lastError: state.lastError };
    case 'connected':
      return {
        ...initialState,
        status: 'connected',
        connectionId: event.connectionId,
        transport: event.transport,
        lastError: state.lastError,
      };
    case 'lost':
      // Reconnecting keeps the connection id: a stateful reattach resumes the same connection.
      return {
        ...state,
        status: 'reconnecting',
        transport: null,
        attempt: 0,
        nextRetryInMs: null,
        nextRetryAt: null,
        lastError: event.error,
      };
    case 'waiting':
      return {
        ...state,
        attempt: event.attempt,
        nextRetryInMs: event.delayMs,
        nextRetryAt: event.at,
        lastError: event.error,
      };
    case 'attempting':
      return { ...state, attempt: event.attempt, nextRetryInMs: null, nextRetryAt: null };
    case 'stopping':
      return state.status === 'disconnected'
        ? state
        : { ...state, status: 'disconnecting', nextRetryInMs: null, nextRetryAt: null };
    case 'closed':
      return { ...initialState, lastError: event.error ?? state.lastError };
  }
}
