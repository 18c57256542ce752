import { HttpConnection, type Endpoint } from './http-connection.js';
import { newConnectionId } from './ids.js';

/** Every connection of the server by token, and the reaping of inactive ones (ASP.NET Core's `HttpConnectionManager`). */
export class ConnectionManager {
  readonly connections = new Map<string, HttpConnection>();

  constructor(private readonly disconnectTimeoutMs: number) {}

  /** A new connection: token = id for negotiate version 0, a second secret id from version 1 on. */
  create(endpoint: Endpoint, negotiateVersion: number, statefulReconnect: boolean): HttpConnection {
    const connectionId = newConnectionId();
    const token = negotiateVersion > 0 ? newConnectionId() : connectionId;
    const connection = new HttpConnection(connectionId, token, endpoint, statefulReconnect, (c) =>
      this.connections.delete(c.token),
    );
    this.connections.set(token, connection);
    return connection;
  }

  get(token: string): HttpConnection | undefined {
    return this.connections.get(token);
  }

  /** Disposes connections inactive for longer than the disconnect timeout (unused negotiations, stopped pollers). */
  scan(now: number): void {
    for (const connection of this.connections.values()) {
      if (connection.status === 'inactive' && now - connection.lastSeen > this.disconnectTimeoutMs) {
        connection.dispose();
      }
    }
  }

  disposeAll(): void {
    for (const connection of [...this.connections.values()]) connection.dispose();
  }
}
