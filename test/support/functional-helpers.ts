// Helpers for the `functional-*` interop suites: the scenarios of ASP.NET Core's own TypeScript functional tests
// (dotnet/aspnetcore, src/SignalR/clients/ts/FunctionalTests), replayed with the official @microsoft/signalr client
// in Node against every target (see targets.ts).

import { HttpTransportType, JsonHubProtocol } from '@microsoft/signalr';
import type { ILogger, IHubProtocol, IStreamResult, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { expect } from 'vitest';

export type ProtocolName = 'json' | 'messagepack';
export type TransportName = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

export interface TransportCase {
  readonly name: TransportName;
  readonly type: HttpTransportType;
}

export interface TransportProtocolCase {
  readonly transport: TransportCase;
  readonly protocol: ProtocolName;
}

/** The transports of the official suite in Node (its `getHttpTransportTypes()`: all three). */
export const TRANSPORTS: readonly TransportCase[] = [
  { name: 'WebSockets', type: HttpTransportType.WebSockets },
  { name: 'ServerSentEvents', type: HttpTransportType.ServerSentEvents },
  { name: 'LongPolling', type: HttpTransportType.LongPolling },
];

/** Every transport × protocol pair of the official `eachTransportAndProtocol` (MessagePack is binary: no SSE). */
export const TRANSPORT_PROTOCOL_CASES: readonly TransportProtocolCase[] = TRANSPORTS.flatMap((transport) =>
  (['json', 'messagepack'] as const)
    .filter((protocol) => !(transport.name === 'ServerSentEvents' && protocol === 'messagepack'))
    .map((protocol) => ({ transport, protocol })),
);

export function createProtocol(name: ProtocolName): IHubProtocol {
  return name === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol();
}

/** How long an event-driven wait may take before the test fails with a clear message (tests stay fast on failure). */
export const WAIT_MS = 5_000;

/** Rejects with `what` when `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms: number = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly settled: () => boolean;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A promise settled from outside (the official suite's `PromiseSource`). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  let done = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Avoid unhandled rejections for waits a failing test never reaches.
  promise.catch(() => undefined);
  return {
    promise,
    settled: () => done,
    resolve: (value) => {
      done = true;
      resolve(value);
    },
    reject: (error) => {
      done = true;
      reject(error);
    },
  };
}

/** Collects a server-to-client stream. */
export function collect<T>(stream: IStreamResult<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.subscribe({
      next: (item) => items.push(item),
      error: (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      complete: () => resolve(items),
    });
  });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/** Fetches a test JWT from the target (`/generateJwtToken`). */
export async function fetchToken(baseUrl: string, user?: string, expiresInSeconds?: number): Promise<string> {
  const query = new URLSearchParams();
  if (user !== undefined) query.set('user', user);
  if (expiresInSeconds !== undefined) query.set('expiresInSeconds', String(expiresInSeconds));
  const suffix = query.size === 0 ? '' : `?${query.toString()}`;
  const response = await fetch(`${baseUrl}/generateJwtToken${suffix}`);
  expect(response.status).toBe(200);
  return response.text();
}

/** A name no other test (or test file) uses, for groups and users on the shared servers. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** An ILogger that keeps every message (the official suite's `TestLogger`). */
export class CapturingLogger implements ILogger {
  readonly messages: { level: LogLevel; message: string }[] = [];

  log(level: LogLevel, message: string): void {
    this.messages.push({ level, message });
  }

  containing(text: string): string[] {
    return this.messages.filter((entry) => entry.message.includes(text)).map((entry) => entry.message);
  }
}
