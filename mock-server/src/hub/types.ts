import type { JwtPayload } from '../auth/jwt.js';
import type { HubOptions } from '../server/options.js';

/** The transports of ASP.NET Core SignalR, by the names negotiate uses. */
export type TransportName = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

/** The authenticated caller: the validated token's claims and the user id taken from them. */
export interface HubUser {
  /**
   * The user id (ASP.NET Core's `Context.UserIdentifier`): the name identifier claim (`nameid`, or the long
   * `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier` form, or `sub`).
   */
  readonly id: string | undefined;
  readonly claims: JwtPayload;
}

/** The HTTP request that established the connection (negotiate, or the first transport request). */
export interface ConnectionRequest {
  readonly url: string;
  readonly headers: Headers;
  readonly query: URLSearchParams;
  readonly cookies: ReadonlyMap<string, string>;
}

/** Something `send` can address. All sends are fire-and-forget, as in ASP.NET Core. */
export interface ClientProxy {
  /** Sends an Invocation of `target` (no invocation id: the client answers nothing). */
  send(target: string, ...args: unknown[]): void;
}

/** One connection: `send`, and `invoke` for a client result. */
export interface SingleClientProxy extends ClientProxy {
  /**
   * Invokes `target` on the client and resolves with the result it returns (`connection.on`-handler with a return
   * value on the official client; `handle` on hubrx). Rejects with a `HubException` carrying the client's error,
   * with an `IOException` when the connection does not exist or closes first, or after `timeoutMs` (default: the
   * server's `clientResultTimeoutMs`).
   *
   * As in ASP.NET Core: inside a hub method, `Clients.Caller` and `Clients.Client(id)` give the invocation's
   * parallel-invocation slot back while they wait, so they work with one parallel invocation per client; inside
   * `onConnected` they throw an `InvalidOperationException` at once (`Client results inside OnConnectedAsync Hub
   * methods are not allowed.`).
   */
  invoke<T = unknown>(target: string, ...args: unknown[]): Promise<T>;
  /** `invoke` with a per-call timeout or abort signal. */
  invokeWith<T = unknown>(
    options: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
    target: string,
    ...args: unknown[]
  ): Promise<T>;
}

/** `Clients` of ASP.NET Core's `IHubContext`: every way to address connections of one hub. */
export interface HubClients {
  readonly all: ClientProxy;
  allExcept(connectionIds: readonly string[]): ClientProxy;
  client(connectionId: string): SingleClientProxy;
  clients(connectionIds: readonly string[]): ClientProxy;
  user(userId: string): ClientProxy;
  users(userIds: readonly string[]): ClientProxy;
  group(name: string): ClientProxy;
  groups(names: readonly string[]): ClientProxy;
  groupExcept(name: string, excludedConnectionIds: readonly string[]): ClientProxy;
}

/** `Clients` inside a hub method: {@link HubClients} plus those relative to the caller. */
export interface HubCallerClients extends HubClients {
  readonly caller: SingleClientProxy;
  readonly others: ClientProxy;
  othersInGroup(name: string): ClientProxy;
}

/** Group membership. Adding or removing sends nothing on the wire. */
export interface GroupManager {
  add(connectionId: string, group: string): void;
  remove(connectionId: string, group: string): void;
}

/** What a hub method, `onConnected` and `onDisconnected` see of their connection (ASP.NET Core's `Context`). */
export interface HubCallerContext {
  readonly connectionId: string;
  /** The caller, when a valid token came with the connection. */
  readonly user: HubUser | undefined;
  /** `user.id`, as ASP.NET Core's `Context.UserIdentifier`. */
  readonly userIdentifier: string | undefined;
  /** Per-connection state that lives as long as the connection. */
  readonly items: Map<unknown, unknown>;
  readonly request: ConnectionRequest;
  readonly transport: TransportName;
  /** The hub protocol in use: `json` or `messagepack`. */
  readonly protocol: string;
  readonly clients: HubCallerClients;
  readonly groups: GroupManager;
  /** Ends the connection from the server (`Context.Abort()`): the client receives a Close without error. */
  abort(): void;
}

/** What one hub method invocation sees: its connection's context, plus the invocation's own state. */
export interface HubInvocationContext extends HubCallerContext {
  /** The method's declared name (the client may spell it in another case). */
  readonly target: string;
  /** The invocation id; `undefined` for a non-blocking `send` from the client. */
  readonly invocationId: string | undefined;
  /**
   * The method's `CancellationToken`: aborted when the connection closes, and for a streaming method also when the
   * client cancels the stream (CancelInvocation). As in ASP.NET Core, a non-streaming invocation is not cancelled
   * by CancelInvocation.
   */
  readonly signal: AbortSignal;
}

/**
 * A hub method: receives the invocation context and the client's arguments. Return a value or a Promise for a
 * single result; an `AsyncIterable` or an Observable (anything with `subscribe`) to stream items to the client.
 * Parameters the client uploads as streams arrive as `AsyncIterable`s.
 */
export type HubMethod = {
  // A method-style signature makes parameters bivariant, so `(ctx, a: number, b: string) => ...` is accepted.
  bivariance(ctx: HubInvocationContext, ...args: unknown[]): unknown;
}['bivariance'];

/**
 * Who may connect to a hub: `true` requires an authenticated user; a function decides per request. Refusal is a
 * 401 without a user (the client should get a token) and a 403 with one, as ASP.NET Core's authorization does.
 */
export type HubAuthorization =
  boolean | ((user: HubUser | undefined, request: ConnectionRequest) => boolean | Promise<boolean>);

/**
 * Who may call a method: `true` requires an authenticated user; a function decides per invocation. Refusal
 * completes the invocation with `Failed to invoke '<M>' because user is unauthorized`.
 */
export type MethodAuthorization = boolean | ((ctx: HubInvocationContext) => boolean | Promise<boolean>);

/**
 * The .NET type a parameter binds to, when a method declares them: arguments that do not fit are refused with
 * ASP.NET Core's binding error, as its JSON and MessagePack binders refuse them. `int` is 32-bit, `long` a safe
 * integer, `double` any number; `bytes` is base64 text in JSON and `bin` in MessagePack; `date` is an ISO string in
 * JSON and a timestamp in MessagePack; `object`, `array`, `string`, `bytes` and `date` accept `null`.
 */
export type ParameterType =
  'string' | 'int' | 'long' | 'double' | 'bool' | 'object' | 'array' | 'bytes' | 'date' | 'any';

/** A hub method with options, where a bare function is not enough. */
export interface HubMethodDescriptor {
  readonly handler: HubMethod;
  /**
   * The types of the ordinary (non-stream) parameters, in order. When given, the argument count must match it
   * exactly and each argument must bind (see {@link ParameterType}).
   */
  readonly parameters?: readonly ParameterType[];
  /**
   * Whether the method streams results (a StreamInvocation is expected). Async generator functions are detected;
   * set it for a method that returns an Observable or an `AsyncIterable` from a plain function, so that a wrong
   * invocation kind is refused before the method runs, as ASP.NET Core does.
   */
  readonly stream?: boolean;
  /**
   * Positions of the parameters the client uploads as streams (as ASP.NET Core learns from the method's
   * signature). Default: after the ordinary arguments, in the order of the invocation's `streamIds`.
   */
  readonly streamParameters?: readonly number[];
  /** Method-level authorization (ASP.NET Core's `[Authorize]` on a method). */
  readonly authorize?: MethodAuthorization;
}

/** A hub: its methods and lifecycle hooks. Create with {@link defineHub}. */
export interface HubDefinition {
  readonly methods: Readonly<Record<string, HubMethod | HubMethodDescriptor>>;
  readonly onConnected?: (ctx: HubCallerContext) => void | Promise<void>;
  readonly onDisconnected?: (ctx: HubCallerContext, error: Error | undefined) => void | Promise<void>;
  /** Hub-level authorization (`[Authorize]` on the hub class): checked on negotiate and every transport request. */
  readonly authorize?: HubAuthorization;
  /** Transports offered on this hub (default all three). */
  readonly transports?: readonly TransportName[];
  /** Allow stateful reconnect on this hub (ASP.NET Core's `AllowStatefulReconnects`, default false). */
  readonly allowStatefulReconnects?: boolean;
  /** This hub's options, over the server's (as `AddHubOptions<THub>`). */
  readonly options?: HubOptions;
  /**
   * Answers negotiate instead of creating a connection: a redirect to another URL (with an optional access token
   * for it, as Azure SignalR Service answers), or an `error` that stops the client. `undefined` negotiates normally.
   */
  readonly negotiate?: (
    request: ConnectionRequest,
    user: HubUser | undefined,
  ) => NegotiateAnswer | undefined | Promise<NegotiateAnswer | undefined>;
}

/** A negotiate answer other than a connection. */
export type NegotiateAnswer =
  { readonly redirect: string; readonly accessToken?: string } | { readonly error: string };
