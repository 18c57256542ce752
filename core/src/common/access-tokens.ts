/** What an access token factory is told. */
export interface AccessTokenContext {
  /** `true` after the server answered 401: return a new token, not a cached one. */
  readonly forceRefresh: boolean;
  /** The hub URL the token is for. */
  readonly url: string;
}

/** Supplies the bearer token: called for every connection attempt, and again with `forceRefresh` after a 401. */
export type AccessTokenFactory = (
  context: AccessTokenContext,
) => string | null | undefined | Promise<string | null | undefined>;

/**
 * The token of one connection attempt. Concurrent 401s share one refresh. A redirect's `accessToken` is used for
 * the redirected URL only, and cannot be refreshed: negotiating at the hub URL again (a transport fallback, the
 * next attempt) goes back to the factory's token, while a stateful reattach (to the redirected URL) keeps it.
 */
export class AccessTokens {
  /** The factory's latest token. */
  #token: string | undefined;
  /**
   * A negotiate redirect's token, in use at the redirected URL; negotiate clears it when it starts at the hub URL.
   */
  redirect: string | undefined;
  #refreshing: Promise<string | undefined> | undefined;

  readonly #factory: AccessTokenFactory | undefined;
  readonly #url: string;

  constructor(factory: AccessTokenFactory | undefined, url: string) {
    this.#factory = factory;
    this.#url = url;
  }

  /** The token in use. */
  get current(): string | undefined {
    return this.redirect ?? this.#token;
  }

  /** Asks the factory for the token of a new attempt (a redirect's stays in use until negotiate clears it). */
  acquire(): Promise<string | undefined> {
    return this.#ask(false);
  }

  /** Whether a 401 can be answered by asking for a new token. */
  get refreshable(): boolean {
    return this.#factory !== undefined && this.redirect === undefined;
  }

  /** After a 401: one factory call with `forceRefresh`, shared by everyone who got the 401 meanwhile. */
  refresh(): Promise<string | undefined> {
    if (!this.refreshable) return Promise.resolve(this.current);
    return (this.#refreshing ??= this.#ask(true).finally(() => (this.#refreshing = undefined)));
  }

  async #ask(forceRefresh: boolean): Promise<string | undefined> {
    this.#token = (await this.#factory?.({ forceRefresh, url: this.#url })) ?? undefined;
    return this.current;
  }
}
