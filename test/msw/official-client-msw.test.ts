// msw mode: the test hub served by msw handlers inside a jsdom test (no port), driven by the official
// @microsoft/signalr client over WebSockets (msw's global WebSocket), Server-Sent Events and Long Polling.

import {
  HttpTransportType,
  HubConnectionBuilder,
  JsonHubProtocol,
  LogLevel,
  Subject,
} from '@microsoft/signalr';
import type { HubConnection, IHttpConnectionOptions, IHubProtocol, IStreamResult } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { EventSource } from 'eventsource';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testPreset } from '@hubrx/mock-server';
import { createMswHub } from '@hubrx/mock-server/msw';

const URL_BASE = 'http://hubs.test';
const hub = createMswHub({ url: URL_BASE, ...testPreset() });
const server = setupServer(...hub.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  hub.close();
  server.close();
});

const transports = [
  { name: 'WebSockets', type: HttpTransportType.WebSockets, protocols: ['json', 'messagepack'] },
  { name: 'ServerSentEvents', type: HttpTransportType.ServerSentEvents, protocols: ['json'] },
  { name: 'LongPolling', type: HttpTransportType.LongPolling, protocols: ['json', 'messagepack'] },
] as const;

function collect<T>(stream: IStreamResult<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.subscribe({
      next: (item) => items.push(item),
      error: (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      complete: () => resolve(items),
    });
  });
}

const connections: HubConnection[] = [];
afterEach(async () => {
  await Promise.allSettled(connections.splice(0).map((c) => c.stop()));
});

for (const transport of transports) {
  for (const protocolName of transport.protocols) {
    describe(`${transport.name} + ${protocolName} through msw`, () => {
      function connect(path = '/testhub', token?: string): HubConnection {
        const protocol: IHubProtocol =
          protocolName === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol();
        // msw sees no WebSocket request headers: there the token travels as `access_token`, as browsers send it.
        // (In Node the official client would put it in an Authorization header of the upgrade request.)
        const inQuery = token !== undefined && transport.type === HttpTransportType.WebSockets;
        // `WebSocket` and `EventSource` are options the official client reads but does not declare in its types.
        const options: IHttpConnectionOptions & { WebSocket: unknown; EventSource: unknown } = {
          transport: transport.type,
          // msw intercepts the global WebSocket; in Node the official client would otherwise load `ws`.
          WebSocket: globalThis.WebSocket,
          // A fetch-based EventSource: msw's Node interception drops the headers eventsource@2 sends.
          EventSource,
          ...(token !== undefined && !inQuery && { accessTokenFactory: () => token }),
        };
        const connection = new HubConnectionBuilder()
          .withUrl(`${URL_BASE}${path}${inQuery ? `?access_token=${token}` : ''}`, options)
          .withHubProtocol(protocol)
          .configureLogging(LogLevel.None)
          .build();
        connections.push(connection);
        return connection;
      }

      it('invokes, streams and uploads', async () => {
        const connection = connect();
        await connection.start();
        expect(await connection.invoke('Echo', 'héllo ✓')).toBe('héllo ✓');
        expect(await connection.invoke('Add', 40, 2)).toBe(42);
        expect(await collect(connection.stream<string>('Stream'))).toEqual(['a', 'b', 'c']);
        const upload = new Subject<string>();
        const concat = connection.invoke<string>('StreamingConcat', upload);
        upload.next('x');
        upload.next('y');
        upload.complete();
        expect(await concat).toBe('xy');
        expect(await connection.invoke('GetActiveTransportName')).toBe(transport.name);
      });

      it('gets the exact server error and server-to-client calls', async () => {
        const connection = connect();
        const message = new Promise<string>((resolve) => connection.on('Message', resolve));
        await connection.start();
        await expect(connection.invoke('ThrowException', 'boom')).rejects.toThrow(
          "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: boom",
        );
        await connection.invoke('InvokeWithString', 'ping');
        expect(await message).toBe('ping');
        expect(hub.connections.some((c) => c.transport === transport.name)).toBe(true);
      });

      it('answers a client result', async () => {
        const connection = connect();
        connection.on('ClientResult', (prompt: string) => `answer to ${prompt}`);
        await connection.start();
        expect(await connection.invoke('AskClient', 'q')).toBe('answer to q');
      });

      it('authorizes with an access token', async () => {
        const token = await hub.issueToken('msw-user', 60);
        const connection = connect('/authorizedhub', token);
        await connection.start();
        expect(await connection.invoke('GetUserIdentifier')).toBe('msw-user');
      });

      it('logs the messages and sees the client close', async () => {
        const connection = connect();
        await connection.start();
        const id = await connection.invoke<string>('GetCallerConnectionId');
        const logged = await hub.waitForMessage({
          connectionId: id,
          direction: 'received',
          target: 'GetCallerConnectionId',
        });
        expect(logged.hub).toBe('/testhub');
        const gone = hub.waitForDisconnect(id);
        await connection.stop();
        await gone;
        expect(hub.connection(id)).toBeUndefined();
      });
    });
  }
}
