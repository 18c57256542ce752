// The official @microsoft/signalr client, in Node, against the ASP.NET Core reference server: proves the harness and
// the server are real, and pins down what ASP.NET Core actually says (error texts, transports, auth, redirects).

import {
  HttpError,
  HttpTransportType,
  HubConnectionBuilder,
  JsonHubProtocol,
  LogLevel,
  Subject,
} from '@microsoft/signalr';
import type { HubConnection, IHttpConnectionOptions, IHubProtocol, IStreamResult } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { afterEach, describe, expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';

type ProtocolName = 'json' | 'messagepack';

const transports = [
  { name: 'WebSockets', type: HttpTransportType.WebSockets, protocols: ['json', 'messagepack'] },
  // MessagePack is binary; Server-Sent Events can only carry text.
  { name: 'ServerSentEvents', type: HttpTransportType.ServerSentEvents, protocols: ['json'] },
  { name: 'LongPolling', type: HttpTransportType.LongPolling, protocols: ['json', 'messagepack'] },
] as const satisfies readonly { name: string; type: HttpTransportType; protocols: readonly ProtocolName[] }[];

const UNAUTHORIZED_START_ERROR =
  "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'";

function createProtocol(name: ProtocolName): IHubProtocol {
  return name === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol();
}

/** Collects a server-to-client stream. */
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

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describeEachTarget('official @microsoft/signalr client', (server) => {
  const connections: HubConnection[] = [];

  afterEach(async () => {
    await Promise.allSettled(connections.splice(0).map((connection) => connection.stop()));
  });

  function connection(
    path: string,
    options: IHttpConnectionOptions = {},
    protocol: ProtocolName = 'json',
  ): HubConnection {
    const built = new HubConnectionBuilder()
      .withUrl(`${server.url}${path}`, options)
      .withHubProtocol(createProtocol(protocol))
      .configureLogging(LogLevel.None)
      .build();
    connections.push(built);
    return built;
  }

  async function token(user: string, expiresInSeconds = 60): Promise<string> {
    const response = await fetch(
      `${server.url}/generateJwtToken?user=${encodeURIComponent(user)}&expiresInSeconds=${expiresInSeconds}`,
    );
    expect(response.status).toBe(200);
    return response.text();
  }

  for (const transport of transports) {
    for (const protocol of transport.protocols) {
      describe(`${transport.name} + ${protocol}`, () => {
        async function started(): Promise<HubConnection> {
          const hub = connection('/testhub', { transport: transport.type }, protocol);
          await hub.start();
          return hub;
        }

        it('invokes Echo and Add', async () => {
          const hub = await started();
          expect(await hub.invoke('Echo', '你好，世界！')).toBe('你好，世界！');
          expect(await hub.invoke('Add', 40, 2)).toBe(42);
        });

        it('reports the active transport', async () => {
          const hub = await started();
          expect(await hub.invoke('GetActiveTransportName')).toBe(transport.name);
        });

        it('streams a, b, c from Stream', async () => {
          const hub = await started();
          expect(await collect(hub.stream<string>('Stream'))).toEqual(['a', 'b', 'c']);
        });

        it('streams Counter items and completes EmptyStream', async () => {
          const hub = await started();
          expect(await collect(hub.stream<number>('Counter', 5, 0))).toEqual([0, 1, 2, 3, 4]);
          expect(await collect(hub.stream<number>('EmptyStream'))).toEqual([]);
        });

        it('uploads a stream to StreamingConcat and Sum', async () => {
          const hub = await started();
          const words = new Subject<string>();
          const concatenated = hub.invoke<string>('StreamingConcat', words);
          words.next('Hello ');
          words.next('world');
          words.next('!');
          words.complete();
          expect(await concatenated).toBe('Hello world!');

          const numbers = new Subject<number>();
          const sum = hub.invoke<number>('Sum', numbers);
          for (const n of [1, 2, 3, 4]) numbers.next(n);
          numbers.complete();
          expect(await sum).toBe(10);
        });

        it('fails StreamingConcat with HubException when the upload errors', async () => {
          const hub = await started();
          const words = new Subject<string>();
          const result = hub.invoke<string>('StreamingConcat', words);
          words.next('Hello ');
          words.error(new Error('Something bad'));
          expect((await rejection(result)).message).toBe(
            "An unexpected error occurred invoking 'StreamingConcat' on the server. HubException: Something bad",
          );
        });

        it('rejects with the detailed error of ThrowException', async () => {
          const hub = await started();
          const error = await rejection(hub.invoke('ThrowException', 'An error occurred.'));
          expect(error.message).toBe(
            "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: An error occurred.",
          );
        });

        it('fails StreamThrowException and mismatched invocation kinds with the server texts', async () => {
          const hub = await started();
          expect((await rejection(collect(hub.stream('StreamThrowException', 'boom')))).message).toBe(
            "An unexpected error occurred invoking 'StreamThrowException' on the server. InvalidOperationException: boom",
          );
          expect((await rejection(hub.invoke('EmptyStream'))).message).toBe(
            "The client attempted to invoke the streaming 'EmptyStream' method with a non-streaming invocation.",
          );
          expect((await rejection(collect(hub.stream('Echo', '42')))).message).toBe(
            "The client attempted to invoke the non-streaming 'Echo' method with a streaming invocation.",
          );
        });

        it('receives server-to-client calls', async () => {
          const hub = connection('/testhub', { transport: transport.type }, protocol);
          const message = deferred<string>();
          const custom = deferred<unknown>();
          hub.on('Message', (text: string) => message.resolve(text));
          hub.on('CustomObject', (value: unknown) => custom.resolve(value));
          await hub.start();
          await hub.invoke('InvokeWithString', '你好 SignalR！');
          expect(await message.promise).toBe('你好 SignalR！');
          await hub.invoke('SendCustomObject', { Name: 'test', Value: 42 });
          expect(await custom.promise).toEqual({ Name: 'test', Value: 42 });
        });

        it('sends StreamCanceled when InfiniteStream is cancelled', async () => {
          const hub = connection('/testhub', { transport: transport.type }, protocol);
          const canceled = deferred<void>();
          hub.on('StreamCanceled', () => canceled.resolve());
          await hub.start();
          const subscription = hub.stream<string>('InfiniteStream').subscribe({
            next: () => undefined,
            error: () => undefined,
            complete: () => undefined,
          });
          // Make sure the stream invocation reached the server before cancelling it.
          await hub.invoke('Echo', 'sync');
          subscription.dispose();
          await canceled.promise;
        });

        it('round-trips complex objects', async () => {
          const hub = await started();
          const json = protocol === 'json';
          expect(await hub.invoke('SendComplexObject')).toEqual({
            String: 'hello world',
            IntArray: [1, 2, 3],
            ByteArray: json ? 'AQID' : new Uint8Array([1, 2, 3]),
            Guid: '00010203-0405-0607-0706-050403020100',
            DateTime: json ? '2000-01-01T00:00:00Z' : new Date(Date.UTC(2000, 0, 1)),
          });
          const sent = {
            String: 'Hello, World!',
            IntArray: [1, 2, 3, 255],
            ByteArray: json ? 'aGVsbG8=' : new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f]),
            Guid: '00010203-0405-0607-0706-050403020100',
            DateTime: json ? '2002-04-01T10:20:15Z' : new Date(Date.UTC(2002, 3, 1, 10, 20, 15)),
          };
          expect(await hub.invoke('EchoComplexObject', sent)).toEqual(sent);
        });

        it('returns client results to /clientresult and AskClient', async () => {
          const hub = connection('/testhub', { transport: transport.type }, protocol);
          hub.on('Result', () => 42);
          hub.on('ClientResult', (prompt: string) => `answer to ${prompt}`);
          await hub.start();
          const response = await fetch(`${server.url}/clientresult/${String(hub.connectionId)}`);
          expect(await response.text()).toBe('42');
          expect(await hub.invoke('AskClient', 'life')).toBe('answer to life');
        });

        it('reports a client result error and a missing result', async () => {
          const throwing = connection('/testhub', { transport: transport.type }, protocol);
          throwing.on('Result', () => {
            throw new Error('from callback');
          });
          await throwing.start();
          const thrown = await fetch(`${server.url}/clientresult/${String(throwing.connectionId)}`);
          expect(await thrown.text()).toBe('Error: from callback');

          const silent = await started();
          const missing = await fetch(`${server.url}/clientresult/${String(silent.connectionId)}`);
          expect(await missing.text()).toBe("Client didn't provide a result.");
        });

        it('runs the hubrx additions: Delay, Blast, groups, broadcast, others, users', async () => {
          const jwt = await token('dave');
          const options = { transport: transport.type, accessTokenFactory: () => jwt };
          const a = connection('/testhub', options, protocol);
          const b = connection('/testhub', options, protocol);
          const got: Record<string, unknown[][]> = {};
          for (const [name, hub] of [
            ['a', a],
            ['b', b],
          ] as const) {
            for (const method of ['GroupMessage', 'Broadcast', 'OthersMessage', 'UserMessage', 'Tick']) {
              hub.on(method, (...args: unknown[]) => (got[`${name}.${method}`] ??= []).push(args));
            }
          }
          await Promise.all([a.start(), b.start()]);

          expect(await a.invoke('Delay', 20)).toBe(20);

          await a.invoke('Blast', 3, 4);
          await a.invoke('JoinGroup', 'g');
          await a.invoke('SendToGroup', 'g', 'to the group');
          await a.invoke('LeaveGroup', 'g');
          await a.invoke('SendToGroup', 'g', 'nobody listens');
          await a.invoke('Broadcast', 'to all');
          await a.invoke('SendToOthers', 'to the others');
          await a.invoke('SendToUser', 'dave', 'to dave');
          // Messages to b travel on b's connection: let one round trip on it pass first.
          await b.invoke('Echo', 'flush');

          expect(got['a.Tick']).toEqual([
            [0, 'xxxx'],
            [1, 'xxxx'],
            [2, 'xxxx'],
          ]);
          expect(got['a.GroupMessage']).toEqual([['g', 'to the group']]);
          expect(got['b.GroupMessage']).toBeUndefined();
          expect(got['a.Broadcast']).toEqual([['to all']]);
          expect(got['b.Broadcast']).toEqual([['to all']]);
          expect(got['a.OthersMessage']).toBeUndefined();
          expect(got['b.OthersMessage']).toEqual([['to the others']]);
          expect(got['a.UserMessage']).toEqual([['to dave']]);
          expect(got['b.UserMessage']).toEqual([['to dave']]);
        });

        it('closes the connection, without an error, on Abort', async () => {
          const hub = await started();
          const closed = deferred<Error | undefined>();
          hub.onclose((error) => closed.resolve(error));
          await hub.send('Abort');
          // The server sends a Close message without error (and allowReconnect false) before it drops the transport.
          expect(await closed.promise).toBeUndefined();
        });

        it('sends the negotiate cookies back, but not the expired one', async () => {
          const hub = await started();
          expect(await hub.invoke('GetCookie', 'testCookie')).toBe('testValue');
          expect(await hub.invoke('GetCookie', 'testCookie2')).toBe('testValue2');
          expect(await hub.invoke('GetCookie', 'expiredCookie')).toBeNull();
        });
      });
    }

    describe(`${transport.name}: auth, redirects, transports`, () => {
      it('connects to /authorizedhub with a token', async () => {
        const jwt = await token('alice');
        const hub = connection('/authorizedhub', {
          transport: transport.type,
          accessTokenFactory: () => jwt,
        });
        await hub.start();
        expect(await hub.invoke('Echo', 'hi')).toBe('hi');
        expect(await hub.invoke('GetUserIdentifier')).toBe('alice');
      });

      it('fails to start /authorizedhub without a token (401 on negotiate)', async () => {
        const hub = connection('/authorizedhub', { transport: transport.type });
        const error = await rejection(hub.start());
        // Not an HttpError: the client wraps the negotiate failure's text in a FailedToNegotiateWithServerError.
        expect(error).not.toBeInstanceOf(HttpError);
        expect(error).toMatchObject({ errorType: 'FailedToNegotiateWithServerError' });
        expect(error.message).toBe(UNAUTHORIZED_START_ERROR);
      });

      it('rejects an expired token with 401, on /authorizedhub and on /testhub', async () => {
        const expired = await token('alice', -10);
        for (const path of ['/authorizedhub', '/testhub']) {
          const hub = connection(path, { transport: transport.type, accessTokenFactory: () => expired });
          const error = await rejection(hub.start());
          expect(error.message).toBe(UNAUTHORIZED_START_ERROR);
        }
      });

      it('sets the user on /testhub when a token is presented, and none without', async () => {
        const jwt = await token('bob');
        const withToken = connection('/testhub', {
          transport: transport.type,
          accessTokenFactory: () => jwt,
        });
        await withToken.start();
        expect(await withToken.invoke('GetUserIdentifier')).toBe('bob');

        const anonymous = connection('/testhub', { transport: transport.type });
        await anonymous.start();
        expect(await anonymous.invoke('GetUserIdentifier')).toBeNull();
      });

      it('sends custom headers on every transport in Node', async () => {
        const hub = connection('/testhub', { transport: transport.type, headers: { 'X-HEADER': 'VALUE' } });
        await hub.start();
        expect(await hub.invoke('GetHeader', 'X-HEADER')).toBe('VALUE');
        expect(await hub.invoke('GetHeader', 'X-Not-There')).toBeNull();
      });

      it('follows the /redirect negotiate redirect', async () => {
        const hub = connection(`/redirect?baseUrl=${encodeURIComponent(server.url)}`, {
          transport: transport.type,
        });
        await hub.start();
        expect(await hub.invoke('GetNumRedirects')).toBeGreaterThan(0);
        expect(await hub.invoke('GetActiveTransportName')).toBe(transport.name);
        expect(await hub.invoke('GetCallerConnectionId')).toBe(hub.connectionId);
      });
    });
  }

  describe('stateful reconnect', () => {
    it('connects to /testhub with withStatefulReconnect over WebSockets', async () => {
      const hub = new HubConnectionBuilder()
        .withUrl(`${server.url}/testhub`, { transport: HttpTransportType.WebSockets })
        .withStatefulReconnect()
        .configureLogging(LogLevel.None)
        .build();
      connections.push(hub);
      await hub.start();
      expect(await hub.invoke('Echo', 'stateful')).toBe('stateful');
    });
  });

  describe('/testhub-nowebsockets', () => {
    it('refuses WebSockets', async () => {
      const hub = connection('/testhub-nowebsockets', { transport: HttpTransportType.WebSockets });
      const error = await rejection(hub.start());
      expect(error.message).toBe(
        // The client only lists the transports the server offered (and it disabled them all).
        'Unable to connect to the server with any of the available transports. ' +
          "ServerSentEvents failed: Error: 'ServerSentEvents' is disabled by the client. " +
          "LongPolling failed: Error: 'LongPolling' is disabled by the client.",
      );
    });

    it('picks Server-Sent Events for JSON and Long Polling for MessagePack', async () => {
      const json = connection('/testhub-nowebsockets');
      await json.start();
      expect(await json.invoke('GetActiveTransportName')).toBe('ServerSentEvents');

      const messagePack = connection('/testhub-nowebsockets', {}, 'messagepack');
      await messagePack.start();
      expect(await messagePack.invoke('GetActiveTransportName')).toBe('LongPolling');
    });
  });
});
