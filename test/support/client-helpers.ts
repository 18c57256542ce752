// Helpers for the `client-*` interop suites: the hubrx client (`@hubrx/core`) in Node against every target (see
// targets.ts), over every transport × protocol it supports.

import { createHubConnection, jsonHubProtocol } from '@hubrx/core';
import type {
  AccessTokenContext,
  ConnectionState,
  ConnectionStatus,
  HubConnection,
  HubConnectionOptions,
  HubProtocol,
  TransportName,
} from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { nodeWebSocket } from '@hubrx/core/node';
import { EventSource } from 'eventsource';
import { filter, firstValueFrom, type Observable } from 'rxjs';
import { afterEach, expect } from 'vitest';
import { WebSocket } from 'ws';

import { fetchToken, within, WAIT_MS } from './functional-helpers.js';
import type { ProtocolName, TransportName as ServerTransportName } from './functional-helpers.js';

export interface ClientCase {
  /** The transport, by the name hubrx options use. */
  readonly transport: TransportName;
  /** The same transport, as the server names it (`GetActiveTransportName`). */
  readonly serverName: ServerTransportName;
  readonly protocol: ProtocolName;
}

const TRANSPORT_NAMES: readonly { transport: TransportName; serverName: ServerTransportName }[] = [
  { transport: 'webSockets', serverName: 'WebSockets' },
  { transport: 'serverSentEvents', serverName: 'ServerSentEvents' },
  { transport: 'longPolling', serverName: 'LongPolling' },
];

/** Every transport × protocol pair (MessagePack is binary: not over Server-Sent Events). */
export const CLIENT_CASES: readonly ClientCase[] = TRANSPORT_NAMES.flatMap((names) =>
  (['json', 'messagepack'] as const)
    .filter((protocol) => !(names.transport === 'serverSentEvents' && protocol === 'messagepack'))
    .map((protocol) => ({ ...names, protocol })),
);

/** `json over webSockets`: for suite titles. */
export function caseTitle({ transport, protocol }: ClientCase): string {
  return `${protocol} over ${transport}`;
}

export function clientProtocol(name: ProtocolName): HubProtocol {
  return name === 'json' ? jsonHubProtocol() : messagePackHubProtocol();
}

/** The Node implementations the client needs (Node 20 has no global WebSocket or EventSource). */
export const NODE_IMPLEMENTATIONS = {
  WebSocket: nodeWebSocket(WebSocket),
  EventSource,
} as const satisfies Partial<HubConnectionOptions>;

/**
 * Creates hubrx connections that are stopped after each test, whatever the test did. Call in a `describe` body.
 * `create(url, options)` builds a connection with the Node WebSocket/EventSource, no reconnect unless asked, and a
 * connect timeout that keeps failures fast.
 */
export function trackedConnections(): (
  url: string,
  options?: Partial<HubConnectionOptions>,
) => HubConnection {
  const connections: HubConnection[] = [];
  afterEach(async () => {
    await Promise.allSettled(connections.splice(0).map((connection) => connection.stop()));
  });
  return (url, options = {}) => {
    const connection = createHubConnection({
      ...NODE_IMPLEMENTATIONS,
      timeoutMs: 10_000,
      ...options,
      url,
    });
    connections.push(connection);
    return connection;
  };
}

/** The options of one transport × protocol case: that transport only, that protocol. */
export function caseOptions(each: ClientCase): Partial<HubConnectionOptions> {
  return { transports: [each.transport], protocol: clientProtocol(each.protocol) };
}

/** Settles a call (an awaitable `HubCall`, any PromiseLike), failing the test after `ms`. */
export function settle<T>(call: PromiseLike<T>, what: string, ms: number = WAIT_MS): Promise<T> {
  return within(Promise.resolve(call), what, ms);
}

/** The error a call or promise fails with (fails the test if it succeeds or takes longer than `ms`). */
export async function failure(
  call: PromiseLike<unknown>,
  what: string,
  ms: number = WAIT_MS,
): Promise<Error> {
  try {
    await settle(call, what, ms);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error(`expected ${what} to fail`);
}

/** The first value of `source` matching `predicate`, failing the test after `ms`. */
export function next<T>(
  source: Observable<T>,
  what: string,
  predicate: (value: T) => boolean = () => true,
  ms: number = WAIT_MS,
): Promise<T> {
  return within(firstValueFrom(source.pipe(filter(predicate))), what, ms);
}

/** Waits until the connection's state has `status` (and matches `predicate`), failing the test after `ms`. */
export function stateWhere(
  connection: HubConnection,
  status: ConnectionStatus,
  predicate: (state: ConnectionState) => boolean = () => true,
  ms: number = WAIT_MS,
): Promise<ConnectionState> {
  return next(
    connection.state$,
    `state '${status}'`,
    (state) => state.status === status && predicate(state),
    ms,
  );
}

/** Records every state the connection goes through from now on (the current one first). */
export function recordStates(connection: HubConnection): {
  readonly states: ConnectionState[];
  statuses(): ConnectionStatus[];
  stop(): void;
} {
  const states: ConnectionState[] = [];
  const subscription = connection.state$.subscribe((state) => states.push(state));
  return {
    states,
    statuses: () => states.map((state) => state.status),
    stop: () => subscription.unsubscribe(),
  };
}

/** A `ThrowException`-style detailed server error text. */
export function serverError(method: string, type: string, message: string): string {
  return `An unexpected error occurred invoking '${method}' on the server. ${type}: ${message}`;
}

/** Comfortably above HubOptions.MaximumReceiveMessageSize (32768 bytes) once framed. */
export const TOO_BIG_PAYLOAD = 'x'.repeat(33 * 1024);

/**
 * An access-token factory that records its calls and issues a fresh token from the target's `/generateJwtToken` for
 * each, for user `${user}-1`, `${user}-2`...
 */
export function countingTokenFactory(
  baseUrl: string,
  user: string,
): {
  readonly calls: AccessTokenContext[];
  readonly accessTokenFactory: (context: AccessTokenContext) => Promise<string>;
} {
  const calls: AccessTokenContext[] = [];
  return {
    calls,
    accessTokenFactory: (context) => {
      calls.push(context);
      return fetchToken(baseUrl, `${user}-${calls.length}`);
    },
  };
}

/**
 * Makes the server close the connection with an error that allows a reconnect (an oversized message), and waits
 * until the client is connected again under a new connection id.
 */
export function reconnectAfterServerClose(connection: HubConnection): Promise<ConnectionState> {
  const first = connection.state.connectionId;
  connection.invoke('Echo', TOO_BIG_PAYLOAD).then(
    () => undefined,
    () => undefined,
  );
  return stateWhere(connection, 'connected', (state) => state.connectionId !== first);
}
