import type { HubMessage, HubProtocol } from '@hubrx/core';
import type { HubConnection } from '../connection/hub-connection.js';
import { hubClients, groupManager } from '../hub/clients.js';
import { compileHub, type CompiledHub } from '../hub/define-hub.js';
import { HubLifetime } from '../hub/lifetime.js';
import type { GroupManager, HubClients, HubDefinition } from '../hub/types.js';
import { resolveHubOptions, type HubOptions, type ResolvedHubOptions } from './options.js';

/** What the server's controls observe (the message log, `waitFor`, connection lists). */
export interface ServerEvents {
  connected(connection: HubConnection): void;
  disconnected(connection: HubConnection, error: Error | undefined): void;
  received(connection: HubConnection, message: HubMessage): void;
  sent(connection: HubConnection, message: HubMessage): void;
  /** `onConnected`/`onDisconnected` or a hub method failed outside any invocation. */
  hookFailed(connection: HubConnection, error: unknown): void;
}

/** Server-wide faults the hub layer consults (the HTTP layer has its own). */
export interface HubFaults {
  /** The error text for the next handshake to refuse, if one is armed. */
  takeHandshakeRejection(): string | undefined;
  readonly latencyMs: number;
}

/** A hub as the server runs it: definition, connections, options and protocols. */
export interface HubRuntime {
  readonly path: string;
  readonly hub: CompiledHub;
  readonly lifetime: HubLifetime;
  readonly options: ResolvedHubOptions;
  /** Protocols by lower-cased name: the handshake's `protocol` matches case-insensitively. */
  readonly protocols: ReadonlyMap<string, HubProtocol>;
  readonly events: ServerEvents;
  readonly faults: HubFaults;
  /** `IHubContext<THub>`: this hub's clients and groups, from outside any method. */
  readonly clients: HubClients;
  readonly groups: GroupManager;
}

export function createHubRuntime(
  path: string,
  definition: HubDefinition,
  serverOptions: HubOptions | undefined,
  protocols: ReadonlyMap<string, HubProtocol>,
  events: ServerEvents,
  faults: HubFaults,
): HubRuntime {
  const hub = compileHub(definition);
  const lifetime = new HubLifetime();
  const options = resolveHubOptions(serverOptions, definition.options);
  return {
    path,
    hub,
    lifetime,
    options,
    protocols,
    events,
    faults,
    clients: hubClients(lifetime, options),
    groups: groupManager(lifetime),
  };
}
