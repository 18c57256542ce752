import { defineHub, HubException, type HubDefinition } from '@hubrx/mock-server';
import type { StreamResult } from '@hubrx/core';

/** The test hub's server methods, as an app would describe them for the typed hooks, composables and functions. */
export interface ChatServer {
  Send(user: string, text: string): void;
  Add(a: number, b: number): number;
  Echo(text: string): string;
  Fail(message: string): void;
  Delayed(ms: number, value: string): string;
  ConnectionId(): string;
  Count(count: number): StreamResult<number>;
  Ticks(label: string, intervalMs: number): StreamResult<string>;
}

/** What the server calls on the client. */
export interface ChatClient {
  Message(user: string, text: string): void;
  /** Sent to nobody's handler: frames the app does not read. */
  Noise(n: number): void;
  Confirm(question: string): boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Counts what the server sees; the tests assert on it, not on what the client believes. */
export interface ServerStats {
  /** Every HTTP request the server got. */
  requests: number;
  negotiates: number;
  /** Hub connections made (handshakes completed). */
  connections: number;
}

export function chatHub(stats: ServerStats): HubDefinition {
  return defineHub({
    methods: {
      Send(ctx, user: string, text: string) {
        ctx.clients.all.send('Message', user, text);
      },
      Add: (_ctx, a: number, b: number) => a + b,
      Echo: (_ctx, text: string) => text,
      Fail(_ctx, message: string) {
        throw new HubException(message);
      },
      async Delayed(_ctx, ms: number, value: string) {
        await sleep(ms);
        return value;
      },
      ConnectionId: (ctx) => ctx.connectionId,
      async *Count(_ctx, count: number) {
        for (let i = 0; i < count; i++) yield await Promise.resolve(i);
      },
      async *Ticks(ctx, label: string, intervalMs: number) {
        for (let i = 0; !ctx.signal.aborted; i++) {
          yield `${label}${i}`;
          await sleep(intervalMs);
        }
      },
    },
    onConnected() {
      stats.connections++;
    },
  });
}
