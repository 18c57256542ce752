import type { HubMessage } from '@hubrx/core';
import type { HubConnection } from '../connection/hub-connection.js';
import { MockServerError } from '../errors.js';
import type { HubUser, TransportName } from '../hub/types.js';
import type { HttpFaults } from '../transport/http-dispatcher.js';
import type { HubFaults, ServerEvents } from './hub-runtime.js';

/** One message in the log: what a connection received from its client, or what was sent to it. */
export interface LogEntry {
  /** `Date.now()` when it was logged. */
  readonly at: number;
  readonly hub: string;
  readonly connectionId: string;
  readonly direction: 'received' | 'sent';
  readonly message: HubMessage;
}

/** A live connection, for tests: what it is, and faults to inject into it. */
export interface ConnectionHandle {
  readonly connectionId: string;
  readonly hub: string;
  readonly transport: TransportName;
  /** `json` or `messagepack`. */
  readonly protocol: string;
  readonly user: HubUser | undefined;
  readonly groups: readonly string[];
  readonly connected: boolean;
  /** This connection's log entries, oldest first. */
  readonly messages: readonly LogEntry[];
  /** Destroys the TCP connection without any close handshake (or ends the SSE/poll response abruptly). */
  drop(): void;
  /** Sends Close with this `error` text (verbatim) and `allowReconnect`, then ends the transport. */
  close(options?: { readonly error?: string; readonly allowReconnect?: boolean }): void;
  /** Stops answering and pinging, keeping the socket open: a half-open connection. `false` restores it. */
  halfOpen(on?: boolean): void;
  /** Delays every frame sent to this client by `ms` (order kept); 0 removes the delay. */
  latency(ms: number): void;
}

/** A condition `waitFor` waits for: return a value (not `undefined`/`false`) when met. */
export type Condition<T> = (event: ServerEvent) => T | undefined | false;

/** What `waitFor` conditions see. */
export type ServerEvent =
  | { readonly kind: 'connected'; readonly connection: ConnectionHandle }
  | {
      readonly kind: 'disconnected';
      readonly connection: ConnectionHandle;
      readonly error: Error | undefined;
    }
  | { readonly kind: 'message'; readonly entry: LogEntry }
  /** `onConnected`/`onDisconnected` threw where no client could be told. */
  | { readonly kind: 'error'; readonly connection: ConnectionHandle; readonly error: Error };

/** Selects log entries; every given field must match (`target` case-insensitively). */
export interface MessageFilter {
  readonly hub?: string;
  readonly connectionId?: string;
  readonly direction?: 'received' | 'sent';
  readonly type?: number;
  readonly target?: string;
  readonly invocationId?: string;
}

export function matches(entry: LogEntry, filter: MessageFilter): boolean {
  const message = entry.message as { type: number; target?: string; invocationId?: string };
  return (
    (filter.hub === undefined || entry.hub === filter.hub) &&
    (filter.connectionId === undefined || entry.connectionId === filter.connectionId) &&
    (filter.direction === undefined || entry.direction === filter.direction) &&
    (filter.type === undefined || message.type === filter.type) &&
    (filter.target === undefined || message.target?.toLowerCase() === filter.target.toLowerCase()) &&
    (filter.invocationId === undefined || message.invocationId === filter.invocationId)
  );
}

interface Waiter {
  readonly condition: Condition<unknown>;
  readonly resolve: (value: unknown) => void;
}

/** Server-wide fault injection. Counts are consumed by the requests they affect. */
export interface Faults {
  /** The next `count` negotiates get this status and body instead (default 500, empty). */
  failNegotiate(count?: number, response?: { readonly status?: number; readonly body?: string }): void;
  /** The next `count` handshakes are refused with this error text. */
  rejectHandshake(count?: number, error?: string): void;
  /** The next `count` HTTP requests (negotiate, WebSocket upgrade, poll, send) get 401, as for an expired token. */
  unauthorized(count?: number): void;
  /** Delays every frame sent to every client by `ms`; 0 removes it. */
  latency(ms: number): void;
  /** Disarms every fault above. */
  reset(): void;
}

/**
 * The observing side of the server: the message log, `waitFor`, live connection handles, and the fault state the
 * transports and hubs consult.
 */
export class Controls implements ServerEvents, HubFaults, HttpFaults, Faults {
  readonly log: LogEntry[] = [];
  /** Errors hooks threw where no client could be told (`onDisconnected`). */
  readonly errors: { readonly connectionId: string; readonly error: Error }[] = [];
  readonly live = new Map<string, HubConnection>();
  private readonly perConnection = new Map<string, LogEntry[]>();
  private waiters: Waiter[] = [];
  private negotiateFailures: { count: number; status: number; body: string } | undefined;
  private handshakeRejections: { count: number; error: string } | undefined;
  private unauthorizedCount = 0;
  latencyMs = 0;

  constructor(private readonly logLimit: number) {}

  // ---- ServerEvents ----------------------------------------------------------------------------------------

  connected(connection: HubConnection): void {
    this.live.set(connection.connectionId, connection);
    this.emit({ kind: 'connected', connection: this.handle(connection) });
  }

  disconnected(connection: HubConnection, error: Error | undefined): void {
    if (this.live.get(connection.connectionId) !== connection) return;
    this.live.delete(connection.connectionId);
    this.emit({ kind: 'disconnected', connection: this.handle(connection), error });
  }

  received(connection: HubConnection, message: HubMessage): void {
    this.record(connection, 'received', message);
  }

  sent(connection: HubConnection, message: HubMessage): void {
    this.record(connection, 'sent', message);
  }

  hookFailed(connection: HubConnection, error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.errors.push({ connectionId: connection.connectionId, error: failure });
    this.emit({ kind: 'error', connection: this.handle(connection), error: failure });
  }

  private record(connection: HubConnection, direction: 'received' | 'sent', message: HubMessage): void {
    if (this.logLimit === 0 && this.waiters.length === 0) return;
    const entry: LogEntry = {
      at: Date.now(),
      hub: connection.runtime.path,
      connectionId: connection.connectionId,
      direction,
      message,
    };
    if (this.logLimit > 0) {
      this.log.push(entry);
      if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
      let own = this.perConnection.get(connection.connectionId);
      if (own === undefined) this.perConnection.set(connection.connectionId, (own = []));
      own.push(entry);
      if (own.length > this.logLimit) own.splice(0, own.length - this.logLimit);
    }
    this.emit({ kind: 'message', entry });
  }

  private emit(event: ServerEvent): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => {
      const value = waiter.condition(event);
      if (value === undefined || value === false) return true;
      waiter.resolve(value);
      return false;
    });
  }

  /** Resolves with the first value `condition` returns for an event from now on. */
  waitFor<T>(condition: Condition<T>, timeoutMs = 5000, description = 'the condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        condition,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new MockServerError(`Timed out after ${timeoutMs} ms waiting for ${description}.`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  clearLog(): void {
    this.log.length = 0;
    this.perConnection.clear();
  }

  handle(connection: HubConnection): ConnectionHandle {
    const perConnection = this.perConnection;
    return {
      connectionId: connection.connectionId,
      hub: connection.runtime.path,
      transport: connection.transport,
      get protocol() {
        return connection.protocolName;
      },
      user: connection.user,
      get groups() {
        return [...connection.groups];
      },
      get connected() {
        return connection.connected;
      },
      get messages() {
        return perConnection.get(connection.connectionId) ?? [];
      },
      drop: () => connection.drop(),
      close: (options = {}) => connection.closeWithMessage(options.error, options.allowReconnect ?? false),
      halfOpen: (on = true) => {
        connection.halfOpen = on;
      },
      latency: (ms) => {
        connection.latencyMs = ms;
      },
    };
  }

  // ---- Faults ----------------------------------------------------------------------------------------------

  failNegotiate(count = 1, response: { readonly status?: number; readonly body?: string } = {}): void {
    this.negotiateFailures = { count, status: response.status ?? 500, body: response.body ?? '' };
  }

  rejectHandshake(count = 1, error = 'Handshake rejected by the mock server.'): void {
    this.handshakeRejections = { count, error };
  }

  unauthorized(count = 1): void {
    this.unauthorizedCount = count;
  }

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  reset(): void {
    this.negotiateFailures = undefined;
    this.handshakeRejections = undefined;
    this.unauthorizedCount = 0;
    this.latencyMs = 0;
  }

  takeNegotiateFailure(): Response | undefined {
    const failure = this.negotiateFailures;
    if (failure === undefined || failure.count <= 0) return undefined;
    failure.count--;
    return new Response(failure.body === '' ? null : failure.body, {
      status: failure.status,
      headers: { 'Content-Type': 'text/plain' },
    });
  }

  takeHandshakeRejection(): string | undefined {
    const rejection = this.handshakeRejections;
    if (rejection === undefined || rejection.count <= 0) return undefined;
    rejection.count--;
    return rejection.error;
  }

  takeUnauthorized(): boolean {
    if (this.unauthorizedCount <= 0) return false;
    this.unauthorizedCount--;
    return true;
  }
}
