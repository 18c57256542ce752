import type { ConnectionEndpoint, HubLifetime } from './lifetime.js';
import type { ClientProxy, GroupManager, HubCallerClients, HubClients, SingleClientProxy } from './types.js';

/** Defaults the proxies need from the server's options. */
export interface ClientsOptions {
  /** Default timeout of `invoke` (a client result); `undefined`: wait until the connection closes. */
  readonly clientResultTimeoutMs: number | undefined;
}

function proxy(lifetime: HubLifetime, select: () => Iterable<ConnectionEndpoint>): ClientProxy {
  return { send: (target, ...args) => lifetime.sendInvocation(select(), target, args) };
}

function* without(connections: Iterable<ConnectionEndpoint>, excluded: ReadonlySet<string>) {
  for (const connection of connections) if (!excluded.has(connection.connectionId)) yield connection;
}

function* unique(sources: Iterable<Iterable<ConnectionEndpoint>>) {
  const seen = new Set<ConnectionEndpoint>();
  for (const source of sources) {
    for (const connection of source) {
      if (!seen.has(connection)) {
        seen.add(connection);
        yield connection;
      }
    }
  }
}

function single(lifetime: HubLifetime, connectionId: string, options: ClientsOptions): SingleClientProxy {
  const select = function* () {
    const connection = lifetime.connections.get(connectionId);
    if (connection !== undefined) yield connection;
  };
  return {
    send: (target, ...args) => lifetime.sendInvocation(select(), target, args),
    invoke: <T>(target: string, ...args: unknown[]) =>
      lifetime.invokeClient(connectionId, target, args, {
        timeoutMs: options.clientResultTimeoutMs,
        signal: undefined,
      }) as Promise<T>,
    invokeWith: <T>(
      callOptions: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
      target: string,
      ...args: unknown[]
    ) =>
      lifetime.invokeClient(connectionId, target, args, {
        timeoutMs: callOptions.timeoutMs ?? options.clientResultTimeoutMs,
        signal: callOptions.signal,
      }) as Promise<T>,
  };
}

/** `Clients` of a hub, as seen from outside any method (ASP.NET Core's `IHubContext<THub>.Clients`). */
export function hubClients(lifetime: HubLifetime, options: ClientsOptions): HubClients {
  return {
    all: proxy(lifetime, () => lifetime.connections.values()),
    allExcept: (ids) => proxy(lifetime, () => without(lifetime.connections.values(), new Set(ids))),
    client: (id) => single(lifetime, id, options),
    clients: (ids) =>
      proxy(lifetime, () =>
        unique(ids.map((id) => [lifetime.connections.get(id)].filter((c) => c !== undefined))),
      ),
    user: (user) => proxy(lifetime, () => lifetime.ofUser(user)),
    users: (users) => proxy(lifetime, () => unique(users.map((user) => lifetime.ofUser(user)))),
    group: (name) => proxy(lifetime, () => lifetime.members(name)),
    groups: (names) => proxy(lifetime, () => unique(names.map((name) => lifetime.members(name)))),
    groupExcept: (name, ids) => proxy(lifetime, () => without(lifetime.members(name), new Set(ids))),
  };
}

/** `Clients` inside a hub method: relative to the calling connection too. */
export function callerClients(
  lifetime: HubLifetime,
  callerId: string,
  options: ClientsOptions,
): HubCallerClients {
  const caller = new Set([callerId]);
  return {
    ...hubClients(lifetime, options),
    caller: single(lifetime, callerId, options),
    others: proxy(lifetime, () => without(lifetime.connections.values(), caller)),
    othersInGroup: (name) => proxy(lifetime, () => without(lifetime.members(name), caller)),
  };
}

/** `Groups` of a hub. */
export function groupManager(lifetime: HubLifetime): GroupManager {
  return {
    add: (connectionId, group) => lifetime.addToGroup(connectionId, group),
    remove: (connectionId, group) => lifetime.removeFromGroup(connectionId, group),
  };
}
