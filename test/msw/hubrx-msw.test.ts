// msw mode with OUR client: the test hub served by msw handlers inside a jsdom test (no port), driven by hubrx over
// WebSockets (msw's global WebSocket), Server-Sent Events and Long Polling, × JSON and MessagePack where allowed.
// The same scenarios as official-client-msw.test.ts: this is how hubrx users test their apps.

import { EventSource } from 'eventsource';
import { setupServer } from 'msw/node';
import { filter, firstValueFrom, from, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  createHubConnection,
  fixedDelays,
  HubError,
  noReconnect,
  type ConnectionStatus,
  type HubConnection,
  type HubConnectionOptions,
  type StreamResult,
  type TransportName,
  type Upload,
} from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { testPreset } from '@hubrx/mock-server';
import { createMswHub } from '@hubrx/mock-server/msw';

const URL_BASE = 'http://hubs.test';
const hub = createMswHub({ url: URL_BASE, ...testPreset() });
const server = setupServer(...hub.handlers);

// An app-wide connection, created on import: before server.listen() patches fetch and WebSocket. It must still go
// through msw (hubrx looks the globals up when connecting, not when the connection is created).
const appWide = createHubConnection<TestHub, TestClient>({
  url: `${URL_BASE}/testhub`,
  transports: ['webSockets'],
  reconnect: noReconnect(),
});

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  hub.close();
  server.close();
});

/** The part of the test hub (mock-server/src/presets/test-hub.ts) these tests call. */
interface TestHub {
  Echo(message: string): string;
  Add(a: number, b: number): number;
  Stream(): StreamResult<string>;
  Counter(count: number, intervalMs: number): StreamResult<number>;
  StreamingConcat(parts: Upload<string>): string;
  Sum(values: Upload<number>): number;
  GetActiveTransportName(): string;
  GetCallerConnectionId(): string;
  GetUserIdentifier(): string | null;
  ThrowException(message: string): void;
  InvokeWithString(message: string): void;
  AskClient(prompt: string): string;
  JoinGroup(group: string): void;
  LeaveGroup(group: string): void;
  SendToGroup(group: string, message: string): void;
}
interface TestClient {
  Message(message: string): void;
  ClientResult(prompt: string): string;
  GroupMessage(group: string, message: string): void;
}

const transports = [
  { name: 'WebSockets', transport: 'webSockets', protocols: ['json', 'messagepack'] },
  { name: 'ServerSentEvents', transport: 'serverSentEvents', protocols: ['json'] },
  { name: 'LongPolling', transport: 'longPolling', protocols: ['json', 'messagepack'] },
] as const satisfies readonly {
  name: string;
  transport: TransportName;
  protocols: readonly ('json' | 'messagepack')[];
}[];

const connections: HubConnection<TestHub, TestClient>[] = [];
afterEach(async () => {
  await Promise.allSettled(connections.splice(0).map((c) => c.stop()));
});

for (const { name, transport, protocols } of transports) {
  for (const protocolName of protocols) {
    describe(`hubrx ${name} + ${protocolName} through msw`, () => {
      function connect(
        path = '/testhub',
        options: Partial<HubConnectionOptions> = {},
      ): HubConnection<TestHub, TestClient> {
        const connection = createHubConnection<TestHub, TestClient>({
          url: `${URL_BASE}${path}`,
          transports: [transport],
          ...(protocolName === 'messagepack' && { protocol: messagePackHubProtocol() }),
          // msw intercepts the global WebSocket (hubrx's default; passed explicitly as users would in Node).
          WebSocket: globalThis.WebSocket,
          // A fetch-based EventSource: msw's Node interception drops the headers eventsource@2 sends.
          EventSource,
          reconnect: noReconnect(),
          ...options,
        });
        connections.push(connection);
        return connection;
      }

      it('invokes, streams and uploads', async () => {
        const connection = connect();
        await connection.start();
        expect(connection.state.transport).toBe(transport);
        expect(await connection.invoke('Echo', 'héllo ✓')).toBe('héllo ✓');
        expect(await connection.invoke('Add', 40, 2)).toBe(42);
        // A cold stream: each subscription invokes anew, every item, then complete.
        const letters = connection.stream('Stream');
        expect(await lastValueFrom(letters.pipe(toArray()))).toEqual(['a', 'b', 'c']);
        expect(await lastValueFrom(letters.pipe(toArray()))).toEqual(['a', 'b', 'c']);
        const items: string[] = [];
        for await (const item of connection.stream('Stream')) items.push(item);
        expect(items).toEqual(['a', 'b', 'c']);
        // An early unsubscribe cancels the stream; the connection goes on.
        expect(await lastValueFrom(connection.stream('Counter', 1000, 5).pipe(take(3), toArray()))).toEqual([
          0, 1, 2,
        ]);
        // Uploads: an Observable and an AsyncIterable.
        expect(await connection.invoke('StreamingConcat', from(['x', 'y', 'z']))).toBe('xyz');
        async function* numbers() {
          for (let i = 1; i <= 4; i++) {
            await Promise.resolve();
            yield i;
          }
        }
        expect(await connection.invoke('Sum', numbers())).toBe(10);
        expect(await connection.invoke('GetActiveTransportName')).toBe(name);
      });

      it('gets the exact server error and server-to-client calls', async () => {
        const connection = connect();
        const message = firstValueFrom(connection.on('Message'));
        await connection.start();
        const error: unknown = await connection.invoke('ThrowException', 'boom').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(HubError);
        expect((error as HubError).message).toBe(
          "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: boom",
        );
        await connection.invoke('InvokeWithString', 'ping');
        expect(await message).toEqual(['ping']);
        expect(hub.connections.some((c) => c.transport === name)).toBe(true);
      });

      it('answers a client result', async () => {
        const connection = connect();
        connection.handle('ClientResult', (prompt) => `answer to ${prompt}`);
        await connection.start();
        expect(await connection.invoke('AskClient', 'q')).toBe('answer to q');
        expect(await connection.invoke('AskClient', 'r')).toBe('answer to r');
      });

      it('authorizes with an access token', async () => {
        const token = await hub.issueToken('msw-user', 60);
        // hubrx puts the token where each transport can carry it: the `access_token` query parameter for
        // WebSockets and Server-Sent Events (EventSource has no headers in browsers), `Authorization` for HTTP.
        const asked: boolean[] = [];
        const connection = connect('/authorizedhub', {
          accessTokenFactory: ({ forceRefresh }) => {
            asked.push(forceRefresh);
            return token;
          },
        });
        await connection.start();
        expect(await connection.invoke('GetUserIdentifier')).toBe('msw-user');
        expect(asked).toEqual([false]);
        // Without a token the hub refuses.
        await expect(connect('/authorizedhub').start()).rejects.toThrow();
      });

      it('delivers group messages', async () => {
        const a = connect();
        const b = connect();
        const received = firstValueFrom(b.on('GroupMessage'));
        await Promise.all([a.start(), b.start()]);
        await b.invoke('JoinGroup', `g-${name}-${protocolName}`);
        await a.invoke('SendToGroup', `g-${name}-${protocolName}`, 'hi group');
        expect(await received).toEqual([`g-${name}-${protocolName}`, 'hi group']);
      });

      it('reports state$, logs the messages and stops cleanly', async () => {
        const connection = connect();
        const statuses: ConnectionStatus[] = [];
        const subscription = connection.state$.subscribe((state) => statuses.push(state.status));
        await connection.start();
        expect(connection.state.status).toBe('connected');
        const id = await connection.invoke('GetCallerConnectionId');
        expect(connection.state.connectionId).toBe(id);
        const logged = await hub.waitForMessage({
          connectionId: id,
          direction: 'received',
          target: 'GetCallerConnectionId',
        });
        expect(logged.hub).toBe('/testhub');
        const gone = hub.waitForDisconnect(id);
        await connection.stop();
        await gone;
        subscription.unsubscribe();
        expect(hub.connection(id)).toBeUndefined();
        expect(statuses).toEqual([
          'disconnected',
          'connecting',
          'connected',
          'disconnecting',
          'disconnected',
        ]);
        expect(connection.state.lastError).toBeNull();
      });

      it('reconnects after the server drops it', async () => {
        // An SSE drop errors the response body: through msw it was an unhandled rejection (fixed in the adapter).
        const connection = connect('/testhub', { reconnect: fixedDelays([0, 50]) });
        await connection.start();
        const id = await connection.invoke('GetCallerConnectionId');
        hub.connection(id)!.drop();
        const back = await firstValueFrom(
          connection.state$.pipe(filter((s) => s.status === 'connected' && s.connectionId !== id)),
        );
        expect(await connection.invoke('GetCallerConnectionId')).toBe(back.connectionId);
      });

      it("gets the server's Close error and does not reconnect", async () => {
        // Over msw's WebSocket the Close message was lost (closed before delivery; fixed in the adapter).
        const connection = connect('/testhub', { reconnect: fixedDelays([0, 50]) });
        const statuses: ConnectionStatus[] = [];
        connection.state$.subscribe((state) => statuses.push(state.status));
        await connection.start();
        const id = await connection.invoke('GetCallerConnectionId');
        hub.connection(id)!.close({ error: 'bye', allowReconnect: false });
        await firstValueFrom(connection.state$.pipe(filter((s) => s.status === 'disconnected')));
        expect(connection.state.lastError).toBeInstanceOf(ConnectionClosedError);
        expect(connection.state.lastError?.message).toBe('The server closed the connection: bye');
        expect(statuses).not.toContain('reconnecting');
      });
    });
  }
}

it('a connection created before server.listen() (an app-wide one) goes through msw', async () => {
  try {
    await appWide.start();
    expect(appWide.state).toMatchObject({ status: 'connected', transport: 'webSockets' });
    expect(await appWide.invoke('Echo', 'app-wide')).toBe('app-wide');
  } finally {
    await appWide.stop();
  }
});
