// Runs in the Chromium page (bundled into /scale/hubrx.js with core, see page.ts): what the suites read back of an
// error the page's client raised, as plain data (an Error does not cross page.evaluate with its class and fields).

import {
  ConnectionClosedError,
  ConnectionNotFoundError,
  HttpError,
  NegotiateError,
  TransportError,
} from '@hubrx/core';

const CLASSES = {
  ConnectionNotFoundError,
  TransportError,
  HttpError,
  NegotiateError,
  ConnectionClosedError,
} as const;

/** An error as the page's client raised it: its class, message and typed fields. */
export interface ErrorRecord {
  /** The hubrx class it is an instance of (`instanceof` in the page), or its `name` when none. */
  readonly class: string;
  readonly message: string;
  readonly statusCode: number | null;
  /** A TransportError's transport (the one that failed while connected), else null. */
  readonly transport: string | null;
  /** A TransportError's attempts: every transport tried, and why it failed. */
  readonly attempts: readonly {
    readonly transport: string;
    readonly class: string;
    readonly message: string;
  }[];
}

const classOf = (error: unknown) =>
  Object.entries(CLASSES).find(([, type]) => error instanceof type)?.[0] ??
  (error as { name?: string }).name ??
  typeof error;

export function describeError(error: unknown): ErrorRecord {
  const e = error as Partial<{
    message: string;
    statusCode: number;
    transport: string;
    attempts: readonly { transport: string; error: Error }[];
  }>;
  return {
    class: classOf(error),
    message: e.message ?? String(error),
    statusCode: e.statusCode ?? null,
    transport: e.transport ?? null,
    attempts: (e.attempts ?? []).map(({ transport, error: cause }) => ({
      transport,
      class: classOf(cause),
      message: cause.message,
    })),
  };
}
