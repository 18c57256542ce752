import type { JsonHubProtocolOptions } from '@hubrx/core';
import type { MessagePackHubProtocolOptions } from '@hubrx/core/msgpack';
import { MockServerError } from '../errors.js';

/**
 * What ASP.NET Core lets a hub configure (`HubOptions`), with its defaults. Set them for the whole server, or per
 * hub in its definition's `options`.
 */
export interface HubOptions {
  /** Send exception types and messages to clients (`EnableDetailedErrors`). Default `false`. */
  readonly detailedErrors?: boolean;
  /** Server-to-client Ping interval (`KeepAliveInterval`). Default 15 000 ms. */
  readonly keepAliveIntervalMs?: number;
  /** Close a connection that sent nothing for this long, once it has sent its first Ping. Default 30 000 ms. */
  readonly clientTimeoutIntervalMs?: number;
  /** Time allowed for the handshake (`HandshakeTimeout`). Default 15 000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Largest message accepted from a client, in bytes; `null` for no limit. Default 32 768. */
  readonly maximumReceiveMessageSize?: number | null;
  /** Non-streaming invocations of one client run at a time; further messages wait. Default 1. */
  readonly maximumParallelInvocationsPerClient?: number;
  /** Items buffered per uploaded stream before the connection is held back. Default 10. */
  readonly streamBufferCapacity?: number;
  /** Unacknowledged bytes kept for stateful reconnect before writes are held back. Default 100 000. */
  readonly statefulReconnectBufferSize?: number;
  /** Default timeout of a client result (`invoke`); `undefined` waits until the connection closes. */
  readonly clientResultTimeoutMs?: number;
  /**
   * Refuse an invocation whose argument count differs from the method's parameter count (as ASP.NET Core, which
   * knows its methods' signatures). Default `false`: only missing required arguments are refused, since a
   * JavaScript function does not declare optional or rest parameters in its `length`.
   */
  readonly strictArguments?: boolean;
}

/** Connection-level settings (`HttpConnectionDispatcherOptions`, `LongPollingOptions`). */
export interface ConnectionOptions {
  /** How long a poll waits for data before answering 200 empty. Default 90 000 ms. */
  readonly longPollTimeoutMs?: number;
  /** A connection without an active transport (between polls, or negotiated but unused) is removed after this. Default 15 000 ms. */
  readonly disconnectTimeoutMs?: number;
  /** Lowest negotiate version accepted (`MinimumProtocolVersion`). Default 0. */
  readonly minimumNegotiateVersion?: number;
}

/** Which hub protocols the server speaks, and their options. */
export interface ProtocolOptions {
  readonly json?: JsonHubProtocolOptions | false;
  readonly messagepack?: MessagePackHubProtocolOptions | false;
}

export type ResolvedHubOptions = Required<
  Omit<HubOptions, 'clientResultTimeoutMs' | 'maximumReceiveMessageSize'>
> & {
  readonly clientResultTimeoutMs: number | undefined;
  readonly maximumReceiveMessageSize: number | null;
};

export type ResolvedConnectionOptions = Required<ConnectionOptions>;

const HUB_DEFAULTS: ResolvedHubOptions = {
  detailedErrors: false,
  keepAliveIntervalMs: 15_000,
  clientTimeoutIntervalMs: 30_000,
  handshakeTimeoutMs: 15_000,
  maximumReceiveMessageSize: 32 * 1024,
  maximumParallelInvocationsPerClient: 1,
  streamBufferCapacity: 10,
  statefulReconnectBufferSize: 100_000,
  clientResultTimeoutMs: undefined,
  strictArguments: false,
};

const CONNECTION_DEFAULTS: ResolvedConnectionOptions = {
  longPollTimeoutMs: 90_000,
  disconnectTimeoutMs: 15_000,
  minimumNegotiateVersion: 0,
};

function positive(name: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0)) {
    throw new MockServerError(`Option '${name}' must be a positive number, got ${String(value)}.`);
  }
}

export function resolveHubOptions(...layers: (HubOptions | undefined)[]): ResolvedHubOptions {
  let resolved: ResolvedHubOptions = HUB_DEFAULTS;
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const key of [
      'keepAliveIntervalMs',
      'clientTimeoutIntervalMs',
      'handshakeTimeoutMs',
      'maximumParallelInvocationsPerClient',
      'streamBufferCapacity',
      'statefulReconnectBufferSize',
      'clientResultTimeoutMs',
    ] as const) {
      positive(key, layer[key]);
    }
    if (layer.maximumReceiveMessageSize !== null)
      positive('maximumReceiveMessageSize', layer.maximumReceiveMessageSize);
    resolved = {
      ...resolved,
      ...(Object.fromEntries(
        Object.entries(layer).filter(([, v]) => v !== undefined),
      ) as Partial<ResolvedHubOptions>),
    };
  }
  return resolved;
}

export function resolveConnectionOptions(options: ConnectionOptions = {}): ResolvedConnectionOptions {
  positive('longPollTimeoutMs', options.longPollTimeoutMs);
  positive('disconnectTimeoutMs', options.disconnectTimeoutMs);
  return {
    ...CONNECTION_DEFAULTS,
    ...(Object.fromEntries(
      Object.entries(options).filter(([, v]) => v !== undefined),
    ) as Partial<ResolvedConnectionOptions>),
  };
}
