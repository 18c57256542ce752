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
 * the redirected URL only (the next attempt starts from the factory again) and cannot be refreshed.
 */
export class AccessTokens {
  #token: string | undefined;
  #refreshing: Promise<string | undefined> | undefined;
  #fromRedirect = false;

  readonly #factory: AccessTokenFactory | undefined;
  readonly #url: string;

  constructor(factory: AccessTokenFactory | undefined, url: string) {
    this.#factory = factory;
    this.#url = url;
  }

  /** The token in use. */
  get current(): string | undefined {
    return this.#token;
  }

  /** Asks the factory for the token of a new attempt. */
  async acquire(): Promise<string | undefined> {
    this.#fromRedirect = false;
    return (this.#token = (await this.#factory?.({ forceRefresh: false, url: this.#url })) ?? undefined);
  }

  /** Uses a negotiate redirect's token from now on. */
  useRedirectToken(token: string): void {
    this.#token = token;
    this.#fromRedirect = true;
  }

  /** Whether a 401 can be answered by asking for a new token. */
  get refreshable(): boolean {
    return this.#factory !== undefined && !this.#fromRedirect;
  }

  /** After a 401: one factory call with `forceRefresh`, shared by everyone who got the 401 meanwhile. */
  refresh(): Promise<string | undefined> {
    if (!this.refreshable) return Promise.resolve(this.#token);
    return (this.#refreshing ??= Promise.resolve(this.#factory!({ forceRefresh: true, url: this.#url }))
      .then((token) => (this.#token = token ?? undefined))
      .finally(() => (this.#refreshing = undefined)));
  }
}
