import type { TransportName } from '../errors.js';
import type { HubProtocol } from '../protocol/messages.js';
import { jsonHubProtocol } from '../protocol/json.js';
import type { EventSourceConstructor, Transport, WebSocketConstructor } from '../transports/transport.js';
import type { AccessTokenFactory } from '../common/access-tokens.js';
import { systemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Outbox, OutboxFeature } from './outbox.js';
import { exponentialBackoff, type ReconnectPolicy } from './reconnect-policy.js';
import type { StatefulReconnect, StatefulReconnectFeature } from './stateful-reconnect.js';

/** Options of {@link createHubConnection}. */
export interface HubConnectionOptions {
  /**
   * The hub URL: absolute, or relative to the page (browsers) or worker script. Its query is kept on every request.
   * Where there is no page (server rendering, Node), a relative URL is kept as given and `start()` fails with a
   * TypeError, so that a connection made at module scope can be imported on the server.
   */
  readonly url: string;
  /**
   * Transports in order of preference; the first the server offers and that connects wins. Default: WebSockets,
   * Server-Sent Events, Long Polling. A custom {@link Transport} object may be listed too.
   */
  readonly transports?: readonly (TransportName | Transport)[];
  /** The hub protocol. Default: `jsonHubProtocol()`; `messagePackHubProtocol()` from `@hubrx/core/msgpack`. */
  readonly protocol?: HubProtocol;
  /**
   * Supplies the bearer token. Called for every connection attempt; after a 401 (negotiate, a send, a poll, a
   * WebSocket upgrade where visible) once more with `{ forceRefresh: true }`, and the request is retried.
   */
  readonly accessTokenFactory?: AccessTokenFactory;
  /** Headers for every HTTP request, and for WebSocket upgrades in Node (`nodeWebSocket`); browsers cannot send any. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send cookies cross-origin (`credentials: 'include'`, EventSource `withCredentials`). Default `true`, as the official client. */
  readonly withCredentials?: boolean;
  /** Timeout of HTTP requests (negotiate, sends, DELETE) and of transport connects. Default 100 000 ms. */
  readonly timeoutMs?: number;
  /** Connect a WebSocket straight to `url` without negotiating (requires `transports: ['webSockets']`). */
  readonly skipNegotiation?: boolean;
  /** When and how often to reconnect. Default: {@link exponentialBackoff} (never gives up). */
  readonly reconnect?: ReconnectPolicy;
  /** A ping is sent when nothing was sent for this long. Default 15 000 ms. */
  readonly keepAliveIntervalMs?: number;
  /** The connection is considered lost when nothing arrived for this long. Default 30 000 ms. */
  readonly serverTimeoutMs?: number;
  /**
   * Resume the same server connection after a drop, without losing messages (WebSockets, .NET 8+ servers):
   * `statefulReconnect()` or `statefulReconnect({ bufferSize, reattachWindowMs })`. Default: off.
   */
  readonly statefulReconnect?: StatefulReconnect | false;
  /**
   * Queue `send`/`invoke`/`stream` calls made while connecting or reconnecting and send them once connected,
   * instead of failing them at once: `outbox()` or `outbox({ limit })`. Default: off.
   */
  readonly outbox?: Outbox | false;
  /** Where to log. Default: nothing is logged. */
  readonly logger?: Logger;
  /** The WebSocket implementation. Default: the global one; in Node 20 pass `nodeWebSocket(WebSocket)` from `@hubrx/core/node` (with the `ws` package). */
  readonly WebSocket?: WebSocketConstructor;
  /** The EventSource implementation. Default: the global one; in Node pass `eventsource@4`'s. */
  readonly EventSource?: EventSourceConstructor;
  /** The fetch implementation. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Time source of every timer (keep-alive, timeouts, reconnect delays), for tests. Default: the real clock. */
  readonly clock?: Clock;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly url: string;
  readonly transports: readonly (TransportName | Transport)[];
  readonly protocol: HubProtocol;
  readonly accessTokenFactory: AccessTokenFactory | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly withCredentials: boolean;
  readonly timeoutMs: number;
  readonly skipNegotiation: boolean;
  readonly reconnect: ReconnectPolicy;
  readonly keepAliveIntervalMs: number;
  readonly serverTimeoutMs: number;
  readonly stateful: StatefulReconnectFeature | undefined;
  readonly outbox: OutboxFeature | undefined;
  readonly logger: Logger | undefined;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly EventSource: EventSourceConstructor | undefined;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
}

const ALL_TRANSPORTS: readonly TransportName[] = ['webSockets', 'serverSentEvents', 'longPolling'];

/** `value`, or `fallback` when undefined; a RangeError unless positive and finite. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`\`${name}\` must be a positive number.`);
  return value;
}

/** An opt-in feature must come from its function: a hand-made object (or the former `true`) lacks its code. */
function feature<T>(name: string, value: object | false | undefined, method: string): T | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof (value as Record<string, unknown>)[method] !== 'function') {
    throw new TypeError(
      `\`${name}\` takes the result of ${name}() from '@hubrx/core', e.g. \`${name}: ${name}()\`.`,
    );
  }
  return value as T;
}

/**
 * Resolves a relative URL against the page (browsers) or the worker script (web workers). With `deferred`, where
 * there is neither, a URL that needs one is returned as given (for `start()` to refuse), instead of a TypeError.
 */
export function absoluteUrl(url: string, deferred?: boolean): string {
  const scope = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  const base = scope.document?.baseURI ?? scope.location?.href;
  try {
    return new URL(url, base).href;
  } catch (cause) {
    if (deferred && base === undefined) return url;
    throw new TypeError(`Invalid hub URL '${url}': pass an absolute http(s) URL.`, { cause });
  }
}

export function resolveOptions(options: HubConnectionOptions): ResolvedOptions {
  const keepAliveIntervalMs = positive('keepAliveIntervalMs', options.keepAliveIntervalMs, 15_000);
  const serverTimeoutMs = positive('serverTimeoutMs', options.serverTimeoutMs, 30_000);
  if (serverTimeoutMs <= keepAliveIntervalMs) {
    throw new RangeError(
      '`serverTimeoutMs` must be longer than `keepAliveIntervalMs` (by default 30 s and 15 s).',
    );
  }
  return {
    url: absoluteUrl(options.url, true),
    transports: options.transports ?? ALL_TRANSPORTS,
    protocol: options.protocol ?? jsonHubProtocol(),
    accessTokenFactory: options.accessTokenFactory,
    headers: options.headers ?? {},
    withCredentials: options.withCredentials ?? true,
    timeoutMs: positive('timeoutMs', options.timeoutMs, 100_000),
    skipNegotiation: options.skipNegotiation ?? false,
    reconnect: options.reconnect ?? exponentialBackoff(),
    keepAliveIntervalMs,
    serverTimeoutMs,
    stateful: feature('statefulReconnect', options.statefulReconnect, 'createBuffer'),
    outbox: feature('outbox', options.outbox, 'createQueue'),
    logger: options.logger,
    // Left unset, WebSocket and EventSource are the globals at each connect (see connectTransport), and fetch the
    // global at each request: a connection created before a test's msw server (or a polyfill) patched them, as an
    // app-wide one made on import is, still goes through it.
    WebSocket: options.WebSocket,
    EventSource: options.EventSource,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    clock: options.clock ?? systemClock,
  };
}
