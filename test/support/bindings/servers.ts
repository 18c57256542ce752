import { setupServer } from 'msw/node';
import { WebSocket } from 'ws';
import type { HubConnectionOptions } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { createMockHubServer, type MockHub, type Middleware } from '@hubrx/mock-server';
import { createMswHub } from '@hubrx/mock-server/msw';
import { chatHub, type ServerStats } from './chat.js';

/** Where the mock server runs: on a real port, or in-process as msw handlers. */
export type Mode = 'port' | 'msw';

export interface TestServer {
  /** The hub's URL. */
  readonly url: string;
  /** What a client needs to reach it from jsdom. */
  readonly client: Partial<HubConnectionOptions>;
  readonly mock: MockHub;
  readonly stats: ServerStats;
  /** Zeroes the counters and the message log. */
  reset(): void;
  close(): Promise<void>;
}

/** The chat hub at `/chat`, counting requests, negotiates and connections. */
export async function startServer(mode: Mode): Promise<TestServer> {
  const stats: ServerStats = { requests: 0, negotiates: 0, connections: 0 };
  const count: Middleware = (_request, next, { url }) => {
    stats.requests++;
    if (url.pathname.endsWith('/negotiate')) stats.negotiates++;
    return next();
  };
  const options = { hubs: { '/chat': chatHub(stats) }, middleware: [count] };
  const reset = (mock: MockHub) => () => {
    stats.requests = stats.negotiates = stats.connections = 0;
    mock.clearLog();
  };
  if (mode === 'port') {
    const server = await createMockHubServer(options);
    return {
      url: `${server.url}/chat`,
      // jsdom's own WebSocket does not work under Vitest (undici's, with jsdom's Event class): a Node app's `ws`.
      client: { WebSocket: nodeWebSocket(WebSocket) },
      mock: server,
      stats,
      reset: reset(server),
      close: () => server.close(),
    };
  }
  const hub = createMswHub({ url: 'http://hubs.test', ...options });
  const msw = setupServer(...hub.handlers);
  msw.listen({ onUnhandledRequest: 'error' });
  return {
    url: 'http://hubs.test/chat',
    // hubrx takes the global WebSocket at each connect: msw's.
    client: {},
    mock: hub,
    stats,
    reset: reset(hub),
    close: () => {
      hub.close();
      msw.close();
      return Promise.resolve();
    },
  };
}
