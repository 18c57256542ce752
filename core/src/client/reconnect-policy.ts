/** What a reconnect policy is told about the attempt to come. */
export interface RetryContext {
  /** The attempt to come: 1 for the first retry (as in `state.attempt`). */
  readonly attempt: number;
  /** Time since the connection was lost (or since the first start failed). */
  readonly elapsedMs: number;
  /** Why it was lost, or why the last attempt failed. */
  readonly reason: Error;
}

/** Decides whether and when to retry: a delay in ms, or `null` to give up. */
export type ReconnectPolicy = (context: RetryContext) => number | null;

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Delay cap before jitter of the second attempt (the first is immediate). Default 1000 ms. */
  readonly initialMs?: number;
  /** Largest delay. Default 30 000 ms. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** `full`: a random delay between 0 and the exponential cap (the default); `none`: the cap itself. */
  readonly jitter?: 'full' | 'none';
  /** Give up after this many attempts. Default: never. */
  readonly maxAttempts?: number;
  /** Give up once this long has passed since the connection was lost. Default: never. */
  readonly maxElapsedMs?: number;
  /** Source of randomness, for tests. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with full jitter: retry at once, then after a random delay up to 1 s, 2 s, 4 s... capped at
 * 30 s. It never gives up unless told to: a connection that should come back keeps trying. The default policy.
 *
 * @example
 * ```ts
 * createHubConnection({ url, reconnect: exponentialBackoff({ maxMs: 10_000, maxElapsedMs: 300_000 }) });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): ReconnectPolicy {
  const {
    initialMs = 1000,
    maxMs = 30_000,
    factor = 2,
    jitter = 'full',
    maxAttempts = Infinity,
    maxElapsedMs = Infinity,
    random = Math.random,
  } = options;
  return ({ attempt, elapsedMs }) => {
    if (attempt > maxAttempts || elapsedMs >= maxElapsedMs) return null;
    if (attempt === 1) return 0;
    const cap = Math.min(maxMs, initialMs * factor ** (attempt - 2));
    return jitter === 'full' ? Math.floor(random() * cap) : cap;
  };
}

/**
 * Fixed delays, one per attempt, then give up: `fixedDelays([0, 2000, 10000, 30000])` is the official client's
 * `withAutomaticReconnect()`.
 */
export function fixedDelays(delays: readonly number[]): ReconnectPolicy {
  return ({ attempt }) => delays[attempt - 1] ?? null;
}

/** Never reconnect: a lost connection is closed. */
export function noReconnect(): ReconnectPolicy {
  return () => null;
}
