import {
  AbortError,
  ConnectionNotFoundError,
  TransportError,
  type TransportAttempt,
  type TransportName,
} from '../errors.js';
import { LongPollingTransport } from '../transports/long-polling.js';
import { ServerSentEventsTransport } from '../transports/server-sent-events.js';
import type {
  EventSourceConstructor,
  TransferFormat,
  Transport,
  TransportContext,
  TransportEvents,
  WebSocketConstructor,
} from '../transports/transport.js';
import { WebSocketTransport } from '../transports/websocket.js';
import { connectUrl, negotiate, type Negotiation } from './negotiate.js';
import { absoluteUrl } from './options.js';

/** How a connection attempt reaches the server. */
export interface ConnectSettings {
  readonly url: string;
  readonly transports: readonly (TransportName | Transport)[];
  readonly skipNegotiation: boolean;
  readonly statefulReconnect: boolean;
  readonly format: TransferFormat;
  readonly context: TransportContext;
}

/** A connected transport. */
export interface ConnectedTransport {
  readonly transport: Transport;
  /** The URL it connected to (with `id=`), which a stateful reattach reuses. */
  readonly url: string;
  readonly connectionId: string | null;
  /** Whether the server granted stateful reconnect (WebSockets only). */
  readonly stateful: boolean;
}

const BUILT_IN: Readonly<Record<TransportName, new (context: TransportContext) => Transport>> = {
  webSockets: WebSocketTransport,
  serverSentEvents: ServerSentEventsTransport,
  longPolling: LongPollingTransport,
};

/** Why a built-in transport cannot be tried, before trying it. */
function unusable(
  name: TransportName,
  negotiation: Negotiation,
  settings: ConnectSettings,
  context: TransportContext,
): string | undefined {
  // Negotiate spells the names capitalized: `webSockets` is offered as `WebSockets`.
  const serverName = name[0]!.toUpperCase() + name.slice(1);
  const entry = negotiation.transports.find((offered) => offered?.transport === serverName);
  if (entry == null) return `${name} is not offered by the server.`;
  const format = settings.format === 'binary' ? 'Binary' : 'Text';
  if (!Array.isArray(entry.transferFormats) || !entry.transferFormats.includes(format))
    return `${name} does not carry the ${format} transfer format.`;
  if (name === 'webSockets' && context.WebSocket === undefined) {
    return "This environment has no WebSocket: pass the `WebSocket` option (in Node 20, `nodeWebSocket(WebSocket)` from '@hubrx/core/node', with the `ws` package).";
  }
  if (name === 'serverSentEvents' && context.EventSource === undefined) {
    return 'This environment has no EventSource: pass the `EventSource` option (in Node, `eventsource@4`).';
  }
  return undefined;
}

/**
 * Negotiates, then tries the requested transports in the client's order of preference. A transport that fails
 * to connect is recorded and the next one is tried on a fresh negotiation (the failed one may have left the
 * server's connection unusable). When none connects, one {@link TransportError} lists every attempt.
 *
 * With `skipNegotiation` the server is taken to offer only WebSockets, at the hub URL itself, with no connection
 * id and no stateful reconnect.
 */
export async function connectTransport(
  settings: ConnectSettings,
  events: TransportEvents,
  signal: AbortSignal,
): Promise<ConnectedTransport> {
  const { skipNegotiation } = settings;
  // Kept as given where there was no page to resolve it against when the connection was created.
  const hubUrl = absoluteUrl(settings.url);
  const g = globalThis as { WebSocket?: WebSocketConstructor; EventSource?: EventSourceConstructor };
  // The globals as they are now, not when the connection was created (see resolveOptions).
  const context: TransportContext = {
    ...settings.context,
    WebSocket: settings.context.WebSocket ?? g.WebSocket,
    EventSource: settings.context.EventSource ?? g.EventSource,
  };
  await context.tokens.acquire();
  if (skipNegotiation && (settings.transports.length !== 1 || settings.transports[0] !== 'webSockets')) {
    throw new TransportError(
      "`skipNegotiation` works with the WebSockets transport only: set `transports: ['webSockets']`.",
    );
  }
  const renegotiate = async (): Promise<Negotiation> =>
    skipNegotiation
      ? {
          url: hubUrl,
          connectionId: null,
          connectionToken: null,
          transports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
          statefulReconnect: false,
        }
      : negotiate(context.http, context.tokens, hubUrl, settings.statefulReconnect, signal);
  let negotiation: Negotiation | undefined;
  const attempts: TransportAttempt[] = [];
  for (const requested of settings.transports) {
    negotiation ??= await renegotiate();
    let transport: Transport;
    if (typeof requested === 'string') {
      const reason = unusable(requested, negotiation, settings, context);
      if (reason !== undefined) {
        attempts.push({ transport: requested, error: new TransportError(reason, { transport: requested }) });
        continue;
      }
      transport = new BUILT_IN[requested](context); // named as requested
    } else {
      transport = requested;
    }
    const { name } = transport;
    const url = connectUrl(negotiation.url, negotiation.connectionToken);
    try {
      await transport.connect(url, settings.format, events, signal);
      context.log('info', `Connected with ${name}.`);
      return {
        transport,
        url,
        connectionId: negotiation.connectionId,
        // The server grants it per connection; only a WebSocket can be reattached.
        stateful: negotiation.statefulReconnect && name === 'webSockets',
      };
    } catch (error) {
      if (signal.aborted) {
        throw error instanceof AbortError
          ? error
          : new AbortError('Connecting was aborted.', { cause: signal.reason });
      }
      context.log('warn', `${name} failed to connect: ${(error as Error).message}`);
      attempts.push({ transport: name, error: error as Error });
      negotiation = undefined;
    }
  }
  if (attempts.length === 0) throw new TransportError('No transport was requested: `transports` is empty.');
  // Every transport reached an instance that did not know the connection: that is the cause, not the transports.
  if (attempts.every((a) => a.error instanceof ConnectionNotFoundError))
    throw attempts[attempts.length - 1]!.error;
  throw new TransportError(
    `Unable to connect with any transport: ${attempts.map((a) => `${a.transport}: ${a.error.message}`).join(' ')}`,
    { attempts },
  );
}
