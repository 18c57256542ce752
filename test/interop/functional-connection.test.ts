// ASP.NET Core's TypeScript functional tests for the raw connection and WebSockets (dotnet/aspnetcore,
// src/SignalR/clients/ts/FunctionalTests/ts/ConnectionTests.ts and WebSocketTests.ts), replayed in Node against
// every target's `/echo` endpoint (a connection handler without hub protocol: every payload comes back as is).
//
// Not ported: "honors withCredentials flag" (browser only: withCredentials means nothing to the Node client), and the
// per-HttpClient dimension (Node only has the fetch-based client).

import { createRequire } from 'node:module';

import { HttpTransportType, LogLevel, TransferFormat } from '@microsoft/signalr';
import type { IHttpConnectionOptions } from '@microsoft/signalr';
import type WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';

import { CapturingLogger, deferred, TRANSPORTS, within } from '../support/functional-helpers.js';
import type { Deferred } from '../support/functional-helpers.js';
import { describeEachTarget } from '../support/targets.js';

/** The client's HttpConnection, which the package no longer exports (upstream imports it from the dist folder too). */
interface RawConnection {
  readonly connectionId?: string;
  onreceive: ((data: string | ArrayBuffer) => void) | null;
  onclose: ((error?: Error) => void) | null;
  start(transferFormat: TransferFormat): Promise<void>;
  send(data: string | ArrayBuffer): Promise<void>;
  stop(error?: Error): Promise<void>;
}

const require = createRequire(import.meta.url);
const { HttpConnection } = require('@microsoft/signalr/dist/cjs/HttpConnection.js') as {
  HttpConnection: new (url: string, options?: IHttpConnectionOptions) => RawConnection;
};
// The `ws` package the official client itself uses in Node (Node 20 has no global WebSocket).
const WebSocketClient = createRequire(require.resolve('@microsoft/signalr'))('ws') as typeof WebSocket;

const MESSAGE = 'Hello World!';

describeEachTarget('functional: connection', (server) => {
  const echoUrl = `${server.url}/echo`;
  const connections: RawConnection[] = [];

  afterEach(async () => {
    await Promise.allSettled(connections.splice(0).map((connection) => connection.stop()));
  });

  function rawConnection(options: IHttpConnectionOptions): RawConnection {
    const connection = new HttpConnection(echoUrl, options);
    connections.push(connection);
    return connection;
  }

  /** Upstream's flow: start, send `message`, stop when it comes back; resolves with the onclose error. */
  async function echoOnce(connection: RawConnection, message: string | ArrayBuffer, format: TransferFormat) {
    const received = deferred<string | ArrayBuffer>();
    const close: Deferred<Error | undefined> = deferred<Error | undefined>();
    connection.onreceive = (data) => {
      received.resolve(data);
      void connection.stop();
    };
    connection.onclose = (error) => close.resolve(error);
    await connection.start(format);
    await connection.send(message);
    const data = await within(received.promise, 'the echo');
    return { data, closeError: await within(close.promise, 'onclose') };
  }

  it('can connect to the server without specifying transport explicitly', async () => {
    const connection = rawConnection({ logger: LogLevel.None });
    const { data, closeError } = await echoOnce(connection, MESSAGE, TransferFormat.Text);
    expect(data).toBe(MESSAGE);
    expect(closeError).toBeUndefined();
  });

  for (const transport of TRANSPORTS) {
    describe(`over ${transport.name}`, () => {
      it('can send and receive messages', async () => {
        const connection = rawConnection({ logger: LogLevel.None, transport: transport.type });
        const { data, closeError } = await echoOnce(connection, MESSAGE, TransferFormat.Text);
        expect(data).toBe(MESSAGE);
        expect(closeError).toBeUndefined();
      });

      it('does not log content of messages sent or received by default', async () => {
        const logger = new CapturingLogger();
        const connection = rawConnection({ logger, transport: transport.type });
        await echoOnce(connection, MESSAGE, TransferFormat.Text);
        expect(logger.messages.length).toBeGreaterThan(0);
        expect(logger.containing(MESSAGE)).toEqual([]);
      });

      it('does log content of messages sent or received when enabled', async () => {
        const logger = new CapturingLogger();
        const connection = rawConnection({ logger, logMessageContent: true, transport: transport.type });
        await echoOnce(connection, MESSAGE, TransferFormat.Text);
        // One line for the send, one for the receive.
        expect(logger.containing(MESSAGE)).toHaveLength(2);
      });

      it('(hubrx) echoes non-ASCII text', async () => {
        const message = '你好，世界！ 😀 \u001e';
        const connection = rawConnection({ logger: LogLevel.None, transport: transport.type });
        const { data } = await echoOnce(connection, message, TransferFormat.Text);
        expect(data).toBe(message);
      });

      // OFFICIAL CLIENT: its Long Polling reads text with `response.text()`, which drops a leading U+FEFF (see
      // docs/official-client-behaviour.md §6); the servers send it back intact on every transport.
      (transport.type === HttpTransportType.LongPolling ? it.fails : it)(
        '(hubrx) echoes text that starts with U+FEFF (a BOM is data here)',
        async () => {
          const message = '\uFEFFhello\uFEFF';
          const connection = rawConnection({ logger: LogLevel.None, transport: transport.type });
          const { data } = await echoOnce(connection, message, TransferFormat.Text);
          expect(data).toBe(message);
        },
      );

      if (transport.type === HttpTransportType.LongPolling) {
        it('(hubrx) echoes binary data', async () => {
          const bytes = new Uint8Array([0, 1, 2, 0x1e, 0x7f, 0x80, 0xfe, 0xff]);
          const connection = rawConnection({ logger: LogLevel.None, transport: transport.type });
          const { data } = await echoOnce(connection, bytes.slice().buffer, TransferFormat.Binary);
          expect(data).toBeInstanceOf(ArrayBuffer);
          expect(new Uint8Array(data as ArrayBuffer)).toEqual(bytes);
        });
      }

      if (transport.type === HttpTransportType.WebSockets) {
        // A ConnectionHandler that does not set ITransferFormatFeature.ActiveFormat gets text frames, whatever the
        // client sent (bytes that are not UTF-8 would even make an invalid text frame, which the client rejects).
        it('(hubrx) answers binary sends in text frames, as ASP.NET Core raw connections do', async () => {
          const connection = rawConnection({ logger: LogLevel.None, transport: transport.type });
          const { data, closeError } = await echoOnce(
            connection,
            new TextEncoder().encode('héllo').buffer,
            TransferFormat.Binary,
          );
          expect(data).toBe('héllo');
          expect(closeError).toBeUndefined();
        });
      }
    });
  }

  describe('WebSockets', () => {
    const sockets: WebSocket[] = [];

    afterEach(() => {
      for (const socket of sockets.splice(0)) socket.terminate();
    });

    it('can be used to connect to SignalR', async () => {
      const socket = new WebSocketClient(echoUrl.replace(/^http/, 'ws'));
      sockets.push(socket);
      const received = deferred<unknown>();
      const closed = deferred<{ code: number; wasClean: boolean }>();
      socket.onopen = () => socket.send('message');
      socket.onmessage = (event) => {
        received.resolve(event.data); // a string for a text frame, a Buffer for a binary one
        socket.close();
      };
      socket.onclose = (event) => closed.resolve({ code: event.code, wasClean: event.wasClean });
      expect(await within(received.promise, 'the echo')).toBe('message');
      expect(await within(closed.promise, 'the close')).toEqual({ code: 1000, wasClean: true });
    });

    it("(hubrx) answers the client's close frame with 1000, whatever code the client sent", async () => {
      for (const [code, reason] of [
        [undefined, undefined],
        [1000, ''],
        [4001, 'bye'],
      ] as const) {
        const socket = new WebSocketClient(echoUrl.replace(/^http/, 'ws'));
        sockets.push(socket);
        const closed = deferred<{ code: number; reason: string }>();
        socket.onopen = () => socket.close(code, reason);
        socket.onclose = (event) => closed.resolve({ code: event.code, reason: event.reason });
        expect(await within(closed.promise, 'the close')).toEqual({ code: 1000, reason: '' });
      }
    });
  });
});
