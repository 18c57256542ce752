import { callerClients, groupManager, type ClientsOptions } from './clients.js';
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
  abort(): void;
}

/** The connection's `Context`, created once per connection. */
export class CallerContext implements HubCallerContext {
  readonly items = new Map<unknown, unknown>();
  private clientsCache: HubCallerClients | undefined;
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
  get clients(): HubCallerClients {
    return (this.clientsCache ??= callerClients(
      this.source.lifetime,
      this.source.connectionId,
      this.source.clientsOptions,
    ));
  }
  get groups(): GroupManager {
    return (this.groupsCache ??= groupManager(this.source.lifetime));
  }
  abort(): void {
    this.source.abort();
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
   * The caller's clients, except that awaiting a client result gives this invocation's slot back, so that with
   * one parallel invocation per client the client's answer can still be read.
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
