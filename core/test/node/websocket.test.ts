// The Node adapter (`nodeWebSocket` from `@hubrx/core/node`) under the WebSockets transport, against a real `ws`
// server: headers on the upgrade, 401 → refresh → retry, frames without an event object each, binary frames
// without a copy, invalid UTF-8 → 1007, terminate after the close wait; and the `ws` class passed unadapted.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AccessTokens } from '../../src/common/access-tokens.js';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { Http } from '../../src/common/http.js';
import { AbortError, HttpError, TransportError } from '../../src/errors.js';
import { nodeWebSocket } from '../../src/node/index.js';
import type {
  TransportContext,
  TransportEvents,
  WebSocketConstructor,
} from '../../src/transports/transport.js';
import { WebSocketTransport } from '../../src/transports/websocket.js';
import { harness } from '../support/connection.js';
import { VirtualClock } from '../support/virtual-clock.js';

/** A `ws` server on a free port whose upgrades the test controls. */
interface TestServer {
  readonly url: string;
  /** Every upgrade request, in order. */
  readonly upgrades: IncomingMessage[];
  /** The server side of every accepted socket. */
  readonly sockets: WebSocket[];
  /** Answer the next `count` upgrades with 401. */
  refuse(count: number): void;
  /** Leave upgrades unanswered. */
  hold(): void;
  close(): Promise<void>;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(): Promise<TestServer> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  const upgrades: IncomingMessage[] = [];
  const sockets: WebSocket[] = [];
  const held: Duplex[] = [];
  let refusals = 0;
  let holding = false;
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades.push(request);
    if (holding) return void held.push(socket);
    if (refusals > 0) {
      refusals--;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => sockets.push(ws));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server: TestServer = {
    url: `http://127.0.0.1:${port}/hub?id=token1`,
    upgrades,
    sockets,
    refuse: (count) => void (refusals = count),
    hold: () => void (holding = true),
    close: async () => {
      for (const socket of held) socket.destroy();
      for (const socket of sockets) socket.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
  cleanups.push(() => server.close());
  return server;
}

/** The `ws` class, keeping its sockets and what each emitted as 'message' (to check that frames are not copied). */
function recordingWs() {
  const made: Recording[] = [];
  class Recording extends WebSocket {
    readonly emitted: unknown[] = [];
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      made.push(this);
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message') this.emitted.push(args[0]);
      return super.emit(event, ...args);
    }
  }
  return { WebSocket: Recording, made };
}

async function transportFor(
  WebSocketClass: WebSocketConstructor,
  options: { headers?: Record<string, string>; token?: () => string; clock?: Clock } = {},
) {
  const clock = options.clock ?? systemClock;
  const tokens = new AccessTokens(options.token && (() => options.token!()), 'http://127.0.0.1/hub');
  await tokens.acquire();
  const headers = options.headers ?? {};
  const context: TransportContext = {
    http: new Http({ fetch, headers, withCredentials: true, timeoutMs: 1000, clock }, tokens),
    tokens,
    clock,
    log: () => undefined,
    headers,
    withCredentials: true,
    timeoutMs: 1000,
    fetch,
    WebSocket: WebSocketClass,
    EventSource: undefined,
  };
  const transport = new WebSocketTransport(context);
  cleanups.push(() => transport.stop());
  return transport;
}

/** Transport events, recorded. */
function recorder() {
  const received: (string | ArrayBuffer | Uint8Array)[] = [];
  let closed: (() => void) | undefined;
  const closes: (Error | undefined)[] = [];
  const closedOnce = new Promise<void>((resolve) => (closed = resolve));
  const events: TransportEvents = {
    receive: (data) => void received.push(data),
    close: (error) => {
      closes.push(error);
      closed?.();
    },
  };
  return { events, received, closes, closed: closedOnce };
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
};

const serverMessage = (socket: WebSocket) =>
  new Promise<{ data: RawData; isBinary: boolean }>((resolve) =>
    socket.once('message', (data, isBinary) => resolve({ data, isBinary })),
  );

describe('nodeWebSocket()', () => {
  it('takes the `ws` class (or a subclass) and returns a subclass that sends headers', () => {
    const Adapted = nodeWebSocket(WebSocket);
    expect(Adapted.sendsHeaders).toBe(true);
    expect(Adapted.prototype).toBeInstanceOf(WebSocket);
    expect(nodeWebSocket(recordingWs().WebSocket).sendsHeaders).toBe(true);
  });

  it('returns the same adapter for the same class (options built per connection share one class)', () => {
    expect(nodeWebSocket(WebSocket)).toBe(nodeWebSocket(WebSocket));
    expect(nodeWebSocket(recordingWs().WebSocket)).not.toBe(nodeWebSocket(WebSocket));
  });

  it('throws a TypeError for anything else', () => {
    class BrowserLike {
      close() {}
    }
    expect(() => nodeWebSocket(BrowserLike as never)).toThrow(TypeError);
    expect(() => nodeWebSocket(undefined as never)).toThrow(/`WebSocket` class of the `ws` package/);
  });
});

describe('the `ws` class passed without the adapter', () => {
  it('fails at once with a TypeError naming what to pass', async () => {
    await expect(transportFor(WebSocket)).rejects.toThrow(
      new TypeError(
        "Pass `nodeWebSocket(WebSocket)` from '@hubrx/core/node' as `WebSocket`, not the `ws` class itself.",
      ),
    );
  });

  it('start() rejects with that TypeError rather than falling back to another transport', async () => {
    const h = harness({ WebSocket, transports: ['webSockets', 'longPolling'] });
    const error = await h.connection.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('nodeWebSocket(WebSocket)');
    expect(h.connection.state.status).toBe('disconnected');
  });
});

describe('the WebSockets transport over nodeWebSocket()', () => {
  it('sends the token as an Authorization header, with the `headers` option; not in the URL', async () => {
    const server = await startServer();
    const transport = await transportFor(nodeWebSocket(WebSocket), {
      headers: { 'X-App': 'one' },
      token: () => 'secret',
    });
    await transport.connect(server.url, 'text', recorder().events, new AbortController().signal);
    const [upgrade] = server.upgrades;
    expect(upgrade!.headers.authorization).toBe('Bearer secret');
    expect(upgrade!.headers['x-app']).toBe('one');
    expect(upgrade!.url).toBe('/hub?id=token1');
  });

  it('a 401 on the upgrade: refreshes the token once and retries', async () => {
    const server = await startServer();
    server.refuse(1);
    let issued = 0;
    const transport = await transportFor(nodeWebSocket(WebSocket), { token: () => `t${++issued}` });
    await transport.connect(server.url, 'text', recorder().events, new AbortController().signal);
    expect(server.upgrades.map((request) => request.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
    ]);
    expect(server.sockets).toHaveLength(1);
  });

  it('a 401 without a token to refresh: an HttpError with the status', async () => {
    const server = await startServer();
    server.refuse(1);
    const transport = await transportFor(nodeWebSocket(WebSocket));
    const error = await transport
      .connect(server.url, 'text', recorder().events, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 401, message: 'The WebSocket upgrade was answered with 401.' });
  });

  it('nobody listening: a TransportError with what `ws` said', async () => {
    const server = await startServer();
    const url = server.url;
    await server.close();
    const transport = await transportFor(nodeWebSocket(WebSocket));
    const error = await transport
      .connect(url, 'text', recorder().events, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toMatch(/^The WebSocket could not connect: .*ECONNREFUSED/);
    expect((error as TransportError).cause).toBeInstanceOf(Error);
  });

  it('frames: text as strings, binary as the very Buffers `ws` received (no copy), no event object per frame', async () => {
    const server = await startServer();
    const ws = recordingWs();
    const Adapted = nodeWebSocket(ws.WebSocket);
    const transport = await transportFor(Adapted);
    const { events, received } = recorder();
    await transport.connect(server.url, 'binary', events, new AbortController().signal);
    const client = ws.made[0]!;
    const seen: unknown[] = [];
    const onmessage = (client as unknown as { onmessage: (event: { data: unknown }) => void }).onmessage;
    (client as unknown as { onmessage: (event: { data: unknown }) => void }).onmessage = (event) => {
      seen.push(event);
      onmessage(event);
    };

    server.sockets[0]!.send('héllo');
    server.sockets[0]!.send(new Uint8Array([1, 2, 3]));
    server.sockets[0]!.send(new Uint8Array([4]));
    await until(() => received.length === 3, 'three frames');

    expect(received[0]).toBe('héllo');
    expect(received[1]).toBeInstanceOf(Uint8Array);
    expect(received[1]).toBe(client.emitted[1]);
    expect([...(received[2] as Uint8Array)]).toEqual([4]);
    expect(new Set(seen).size).toBe(1);
  });

  it('a text frame that is not UTF-8: closes with 1007, and the transport reports the close', async () => {
    const server = await startServer();
    const transport = await transportFor(nodeWebSocket(WebSocket));
    const { events, received, closes, closed } = recorder();
    await transport.connect(server.url, 'text', events, new AbortController().signal);
    const peer = server.sockets[0]!;
    const peerClosed = new Promise<[number, string]>((resolve) =>
      peer.once('close', (code, reason) => resolve([code, reason.toString()])),
    );

    peer.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false });

    expect(await peerClosed).toEqual([1007, 'Invalid UTF-8 in a text frame']);
    await closed;
    expect(received).toEqual([]);
    expect(closes[0]).toBeInstanceOf(TransportError);
    expect(closes[0]!.message).toContain('1007');
  });

  it('sends frames the server receives', async () => {
    const server = await startServer();
    const transport = await transportFor(nodeWebSocket(WebSocket));
    await transport.connect(server.url, 'binary', recorder().events, new AbortController().signal);
    const message = serverMessage(server.sockets[0]!);
    transport.send(new Uint8Array([9, 8]));
    const { data, isBinary } = await message;
    expect(isBinary).toBe(true);
    expect([...(data as Buffer)]).toEqual([9, 8]);
  });

  it('stop(): a server that does not answer the close is terminated after the close wait', async () => {
    const server = await startServer();
    const clock = new VirtualClock();
    const ws = recordingWs();
    const transport = await transportFor(nodeWebSocket(ws.WebSocket), { clock });
    await transport.connect(server.url, 'text', recorder().events, new AbortController().signal);
    const peer = server.sockets[0]!;
    // The server stops reading: the close frame never arrives, nothing answers it.
    (peer as unknown as { _socket: Duplex })._socket.pause();
    const client = ws.made[0]!;
    const clientClosed = new Promise<number>((resolve) => client.once('close', resolve));

    let stopped = false;
    const stopping = transport.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    expect(client.readyState).toBe(WebSocket.CLOSING);

    await clock.advance(2000);
    await stopping;
    expect(await clientClosed).toBe(1006);
    expect(clock.pending).toBe(0);
  });

  it('stop() after a clean close handshake resolves at once, leaving no timer', async () => {
    const server = await startServer();
    const clock = new VirtualClock();
    const transport = await transportFor(nodeWebSocket(WebSocket), { clock });
    await transport.connect(server.url, 'text', recorder().events, new AbortController().signal);
    const peerClosed = new Promise<number>((resolve) => server.sockets[0]!.once('close', resolve));
    await transport.stop();
    expect(await peerClosed).toBe(1000);
    expect(clock.pending).toBe(0);
  });

  it('aborted during the upgrade: rejects with an AbortError once the socket is gone, no uncaught error', async () => {
    const server = await startServer();
    server.hold();
    const ws = recordingWs();
    const transport = await transportFor(nodeWebSocket(ws.WebSocket));
    const controller = new AbortController();
    const connecting = transport
      .connect(server.url, 'text', recorder().events, controller.signal)
      .catch((e: unknown) => e);
    await until(() => server.upgrades.length === 1, 'the upgrade request');
    controller.abort();
    const error = await connecting;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toBe('Connecting the WebSocket was aborted.');
    expect(ws.made[0]!.readyState).toBe(WebSocket.CLOSED);
  });
});
