import { callerClients, groupManager, type ClientsOptions } from './clients.js';
import * as text from './error-messages.js';
import type { HubLifetime } from './lifetime.js';
import type {
  ConnectionRequest,
  GroupManager,
  HubCallerClients,
  HubCallerContext,
  HubInvocationContext,
  HubUser,
  SingleClientProxy,
  TransportName,
} from './types.js';

/** What a context reads from its connection. */
export interface ContextSource {
  readonly connectionId: string;
  readonly user: HubUser | undefined;
  readonly request: ConnectionRequest;
  readonly transport: TransportName;
  readonly protocolName: string;
  readonly lifetime: HubLifetime;
  readonly clientsOptions: ClientsOptions;
  /** Past `onConnected`: methods run. */
  readonly connected: boolean;
  /** Gone: `onDisconnected` (or a method that outlived its connection) runs. */
  readonly closed: boolean;
  abort(): void;
}

/**
 * A proxy whose client results are refused, as ASP.NET Core refuses them inside `OnConnectedAsync` (its messages
 * are read only once that has returned, so the answer could never arrive). Thrown at once, as the C# method does.
 */
function refusingResults(proxy: SingleClientProxy): SingleClientProxy {
  const refuse = (): never => {
    throw new text.InvalidOperationError(text.clientResultInOnConnected);
  };
  return {
    send: (target, ...args) => proxy.send(target, ...args),
    invoke: refuse,
    invokeWith: refuse,
  };
}

/**
 * The connection's own proxy, which once the connection has closed fails with `Connection '<id>' disconnected.`, as
 * ASP.NET Core's does during `OnDisconnectedAsync` (where the connection is still listed, but aborted).
 */
function ownConnection(proxy: SingleClientProxy, source: ContextSource): SingleClientProxy {
  const gone = () =>
    Promise.reject(new text.ConnectionIOError(text.connectionDisconnected(source.connectionId)));
  return {
    send: (target, ...args) => proxy.send(target, ...args),
    invoke: (target, ...args) => (source.closed ? gone() : proxy.invoke(target, ...args)),
    invokeWith: (options, target, ...args) =>
      source.closed ? gone() : proxy.invokeWith(options, target, ...args),
  };
}

/** `clients` with `caller` and `client(id)` wrapped. */
function withSingles(
  clients: HubCallerClients,
  wrap: (proxy: SingleClientProxy) => SingleClientProxy,
): HubCallerClients {
  return { ...clients, caller: wrap(clients.caller), client: (id) => wrap(clients.client(id)) };
}

/** The connection's `Context`, created once per connection. */
export class CallerContext implements HubCallerContext {
  readonly items = new Map<unknown, unknown>();
  private clientsCache: HubCallerClients | undefined;
  private onConnectedClients: HubCallerClients | undefined;
  private groupsCache: GroupManager | undefined;

  constructor(private readonly source: ContextSource) {}

  get connectionId(): string {
    return this.source.connectionId;
  }
  get user(): HubUser | undefined {
    return this.source.user;
  }
  get userIdentifier(): string | undefined {
    return this.source.user?.id;
  }
  get request(): ConnectionRequest {
    return this.source.request;
  }
  get transport(): TransportName {
    return this.source.transport;
  }
  get protocol(): string {
    return this.source.protocolName;
  }
  /**
   * The caller's clients. Taken during `onConnected` (the only code that runs before the connection is connected),
   * their `caller` and `client(id)` refuse client results, as ASP.NET Core's do in `OnConnectedAsync`.
   */
  get clients(): HubCallerClients {
    const source = this.source;
    if (!source.connected && !source.closed) {
      return (this.onConnectedClients ??= withSingles(this.allClients(), refusingResults));
    }
    return this.allClients();
  }
  get groups(): GroupManager {
    return (this.groupsCache ??= groupManager(this.source.lifetime));
  }
  abort(): void {
    this.source.abort();
  }

  private allClients(): HubCallerClients {
    if (this.clientsCache === undefined) {
      const source = this.source;
      const own = (proxy: SingleClientProxy) => ownConnection(proxy, source);
      const clients = callerClients(source.lifetime, source.connectionId, source.clientsOptions);
      this.clientsCache = {
        ...clients,
        caller: own(clients.caller),
        client: (id) => (id === source.connectionId ? own(clients.client(id)) : clients.client(id)),
      };
    }
    return this.clientsCache;
  }
}

function releasing(proxy: SingleClientProxy, release: () => void): SingleClientProxy {
  return {
    send: (target, ...args) => proxy.send(target, ...args),
    invoke: (target, ...args) => {
      release();
      return proxy.invoke(target, ...args);
    },
    invokeWith: (options, target, ...args) => {
      release();
      return proxy.invokeWith(options, target, ...args);
    },
  };
}

/** One invocation's context: the connection's, plus target, id and cancellation. */
export class InvocationContext implements HubInvocationContext {
  private clientsCache: HubCallerClients | undefined;

  constructor(
    private readonly base: CallerContext,
    readonly target: string,
    readonly invocationId: string | undefined,
    readonly signal: AbortSignal,
    private readonly releaseSlot: () => void,
  ) {}

  get connectionId(): string {
    return this.base.connectionId;
  }
  get user(): HubUser | undefined {
    return this.base.user;
  }
  get userIdentifier(): string | undefined {
    return this.base.userIdentifier;
  }
  get items(): Map<unknown, unknown> {
    return this.base.items;
  }
  get request(): ConnectionRequest {
    return this.base.request;
  }
  get transport(): TransportName {
    return this.base.transport;
  }
  get protocol(): string {
    return this.base.protocol;
  }
  get groups(): GroupManager {
    return this.base.groups;
  }
  /**
   * The caller's clients, except that a client result through `caller` or `client(id)` gives this invocation's
   * parallel-invocation slot back (once, when first asked for), as ASP.NET Core's `HubCallerClients` does: the
   * client's answer can then be read even with one parallel invocation per client, and another invocation may
   * take the slot meanwhile. Measured on ASP.NET Core 10 (`test/interop/client-results-limits.test.ts`).
   */
  get clients(): HubCallerClients {
    if (this.clientsCache === undefined) {
      const clients = this.base.clients;
      const release = this.releaseSlot;
      this.clientsCache = {
        ...clients,
        caller: releasing(clients.caller, release),
        client: (id) => releasing(clients.client(id), release),
      };
    }
    return this.clientsCache;
  }
  abort(): void {
    this.base.abort();
  }
}
