/**
 * Errors of @hubrx/mock-server: native classes with a literal `name`, structured fields and `cause`.
 *
 * @packageDocumentation
 */

/**
 * Thrown from a hub method to send its message to the caller, whatever `detailedErrors` says (as ASP.NET Core's
 * `HubException`): the client receives `An unexpected error occurred invoking '<Method>' on the server.
 * HubException: <message>`.
 *
 * @example
 * ```ts
 * defineHub({
 *   methods: {
 *     Withdraw(ctx, amount: number) {
 *       if (amount > 100) throw new HubException('Insufficient funds');
 *     },
 *   },
 * });
 * ```
 */
export class HubException extends Error {
  override readonly name = 'HubException' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why a bearer token was refused. */
export type JwtFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'audience';

/** A bearer token was refused: the server answers 401. */
export class JwtError extends Error {
  override readonly name = 'JwtError' as const;
  readonly reason: JwtFailure;

  constructor(reason: JwtFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** The mock server was used wrongly (bad options, a hub path that does not exist, a port in use, ...). */
export class MockServerError extends Error {
  override readonly name = 'MockServerError' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
