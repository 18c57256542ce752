import { MessageType, type HubMessage, type HubProtocol, type InvocationMessage } from '@hubrx/core';
import { HubException } from '../errors.js';
import { ConnectionIOError, connectionDisconnected, connectionDoesNotExist } from './error-messages.js';

/** What the lifetime manager needs of a connection: its ids, and a way to hand it an encoded frame. */
export interface ConnectionEndpoint {
  readonly connectionId: string;
  readonly userIdentifier: string | undefined;
  readonly protocol: HubProtocol;
  readonly groups: Set<string>;
  /** Sends a frame already encoded with this connection's protocol (shared between connections). */
  sendFrame(frame: string | Uint8Array, message: HubMessage): void;
  /** Why sends to this connection cannot happen, e.g. it is gone; `undefined` when it is live. */
  readonly closed: boolean;
}

interface PendingResult {
  readonly connection: ConnectionEndpoint;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly cleanup: () => void;
}

/**
 * The connections of one hub, by id, user and group (ASP.NET Core's `DefaultHubLifetimeManager`), and the
 * pending client results.
 */
export class HubLifetime {
  readonly connections = new Map<string, ConnectionEndpoint>();
  private readonly users = new Map<string, Set<ConnectionEndpoint>>();
  private readonly groupMembers = new Map<string, Set<ConnectionEndpoint>>();
  private readonly pendingResults = new Map<string, PendingResult>();
  private resultIds = 0;

  add(connection: ConnectionEndpoint): void {
    this.connections.set(connection.connectionId, connection);
    const user = connection.userIdentifier;
    if (user !== undefined) {
      let set = this.users.get(user);
      if (set === undefined) this.users.set(user, (set = new Set()));
      set.add(connection);
    }
  }

  remove(connection: ConnectionEndpoint): void {
    if (this.connections.get(connection.connectionId) !== connection) return;
    this.connections.delete(connection.connectionId);
    const user = connection.userIdentifier;
    if (user !== undefined) {
      const set = this.users.get(user);
      set?.delete(connection);
      if (set?.size === 0) this.users.delete(user);
    }
    for (const group of connection.groups) this.removeFromGroup(connection.connectionId, group);
    for (const [id, pending] of this.pendingResults) {
      if (pending.connection === connection) {
        this.pendingResults.delete(id);
        pending.cleanup();
        pending.reject(new ConnectionIOError(connectionDisconnected(connection.connectionId)));
      }
    }
  }

  addToGroup(connectionId: string, group: string): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return;
    let members = this.groupMembers.get(group);
    if (members === undefined) this.groupMembers.set(group, (members = new Set()));
    members.add(connection);
    connection.groups.add(group);
  }

  removeFromGroup(connectionId: string, group: string): void {
    const members = this.groupMembers.get(group);
    if (members === undefined) return;
    for (const member of members) {
      if (member.connectionId === connectionId) {
        members.delete(member);
        member.groups.delete(group);
      }
    }
    if (members.size === 0) this.groupMembers.delete(group);
  }

  members(group: string): Iterable<ConnectionEndpoint> {
    return this.groupMembers.get(group) ?? [];
  }

  ofUser(user: string): Iterable<ConnectionEndpoint> {
    return this.users.get(user) ?? [];
  }

  /**
   * Sends one Invocation to each connection once, encoding it once per protocol: a broadcast to thousands of
   * connections costs one serialization, not thousands.
   */
  sendInvocation(targets: Iterable<ConnectionEndpoint>, target: string, args: readonly unknown[]): void {
    const message: InvocationMessage = { type: MessageType.Invocation, target, arguments: args };
    let protocolA: HubProtocol | undefined;
    let frameA: string | Uint8Array | undefined;
    let protocolB: HubProtocol | undefined;
    let frameB: string | Uint8Array | undefined;
    for (const connection of targets) {
      if (connection.closed) continue;
      const protocol = connection.protocol;
      let frame: string | Uint8Array;
      if (protocol === protocolA) frame = frameA!;
      else if (protocol === protocolB) frame = frameB!;
      else {
        frame = protocol.write(message);
        if (protocolA === undefined) [protocolA, frameA] = [protocol, frame];
        else [protocolB, frameB] = [protocol, frame];
      }
      connection.sendFrame(frame, message);
    }
  }

  /** Sends an Invocation with an id to one connection and waits for its Completion (a client result). */
  invokeClient(
    connectionId: string,
    target: string,
    args: readonly unknown[],
    options: { readonly timeoutMs: number | undefined; readonly signal: AbortSignal | undefined },
  ): Promise<unknown> {
    const connection = this.connections.get(connectionId);
    if (connection === undefined || connection.closed) {
      return Promise.reject(new ConnectionIOError(connectionDoesNotExist(connectionId)));
    }
    // One counter per hub, with the 's' prefix ASP.NET Core uses so as not to collide with the client's ids.
    const invocationId = `s${++this.resultIds}`;
    return new Promise<unknown>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => fail(new HubException('Invocation canceled by the server.'));
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        if (this.pendingResults.delete(invocationId)) {
          cleanup();
          reject(error);
        }
      };
      this.pendingResults.set(invocationId, { connection, resolve, reject, cleanup });
      if (options.timeoutMs !== undefined && options.timeoutMs > 0 && Number.isFinite(options.timeoutMs)) {
        timer = setTimeout(
          () =>
            fail(new HubException(`The client did not answer '${target}' within ${options.timeoutMs} ms.`)),
          options.timeoutMs,
        );
      }
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const message: InvocationMessage = {
        type: MessageType.Invocation,
        invocationId,
        target,
        arguments: args,
      };
      connection.sendFrame(connection.protocol.write(message), message);
    });
  }

  /**
   * Completes a client result from the client's Completion. `false` when the id is not a pending result of this
   * connection (the caller then treats it as an upload stream's end, or ignores it).
   */
  completeClientResult(
    connection: ConnectionEndpoint,
    invocationId: string,
    error: string | undefined,
    result: unknown,
  ): boolean {
    const pending = this.pendingResults.get(invocationId);
    if (pending === undefined || pending.connection !== connection) return false;
    this.pendingResults.delete(invocationId);
    pending.cleanup();
    if (error !== undefined) pending.reject(new HubException(error));
    else pending.resolve(result);
    return true;
  }
}
