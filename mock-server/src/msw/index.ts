/**
 * `@hubrx/mock-server/msw`: the mock hub server as msw handlers, so a jsdom or browser test runs a hub with no port.
 *
 * HTTP (negotiate, Server-Sent Events, Long Polling, sends) goes through an `http` handler returning streaming or
 * pending responses; WebSockets through a `ws.link` handler. MessagePack frames reach the client as exact
 * `ArrayBuffer`s.
 *
 * Limits (msw's, not ours): msw sees no WebSocket request headers, so tokens must travel as the `access_token`
 * query parameter (what browsers do anyway); a refused WebSocket (404, 401, 409) cannot be answered with an HTTP
 * status, so it opens and is closed at once (code 1008, the status in the reason); an abrupt drop is a close with
 * code 1006. msw intercepts only the global `WebSocket`: in Node (jsdom) pass it to clients that would otherwise use
 * the `ws` package (the official client's `WebSocket` option; hubrx uses the global by default).
 *
 * @packageDocumentation
 */
import { http, ws, type RequestHandler, type WebSocketHandler, type WebSocketHandlerConnection } from 'msw';
import { MockHubEngine, type MockHub, type MockHubOptions } from '../server/engine.js';
import { DropConnection } from '../transport/channel.js';
import type { WebSocketHandlers } from '../transport/http-dispatcher.js';

/** Options of {@link createMswHub}: the server's, and the origin the handlers answer for. */
export interface MswHubOptions extends MockHubOptions {
  /** The origin clients connect to, e.g. `http://localhost:5000` (hubs live at `${url}/path`). */
  readonly url: string;
}

/** A mock hub served by msw: its handlers for `setupServer` / `setupWorker`, and the usual controls. */
export interface MswHub extends MockHub {
  readonly url: string;
  /** Pass to `setupServer(...hub.handlers)` or `setupWorker(...hub.handlers)`, or `server.use(...)`. */
  readonly handlers: readonly (RequestHandler | WebSocketHandler)[];
  /** Ends every connection and stops the heartbeat (call it in `afterEach`/`afterAll`). */
  close(): void;
}

type ClientData = string | ArrayBuffer | ArrayBufferView | Blob;

function toFrame(data: ClientData): string | Uint8Array | Promise<Uint8Array> {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return data.arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The response without `Content-Encoding: identity` (the SSE response's, as ASP.NET Core sends it; identity means no
 * encoding, so dropping it changes nothing). msw's fetch interceptor pipes a body with any `Content-Encoding`
 * through a decompression pipeline (empty for identity) and never handles that `pipeTo`'s promise: a Server-Sent
 * Events stream ended by a drop (an errored body) became an unhandled rejection, which fails a vitest run.
 */
function withoutIdentityEncoding(response: Response | undefined): Response | undefined {
  if (response?.headers.get('content-encoding')?.toLowerCase() === 'identity') {
    response.headers.delete('content-encoding');
  }
  return response;
}

/** The exact bytes as an ArrayBuffer: the frame itself when it owns its whole buffer, else a copy. */
function exactBuffer(frame: Uint8Array): ArrayBuffer {
  return frame.byteOffset === 0 &&
    frame.byteLength === frame.buffer.byteLength &&
    frame.buffer instanceof ArrayBuffer
    ? frame.buffer
    : frame.slice().buffer;
}

class MswMockHub extends MockHubEngine implements MswHub {
  readonly url: string;
  readonly handlers: readonly (RequestHandler | WebSocketHandler)[];

  constructor(options: MswHubOptions) {
    super(options);
    this.url = new URL(options.url).origin;
    const httpHandler = http.all(`${this.url}/*`, async ({ request }) => {
      // Node clients' upgrade requests belong to the WebSocket handler.
      if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') return undefined;
      try {
        return withoutIdentityEncoding(await this.handle(request));
      } catch (error) {
        if (error instanceof DropConnection) return Response.error();
        throw error;
      }
    });
    const link = ws.link(`${this.url.replace(/^http/, 'ws')}/*`);
    const wsHandler = link.addEventListener('connection', ({ client }) => this.connect(client));
    this.handlers = [httpHandler, wsHandler];
    this.start();
  }

  private connect(client: WebSocketHandlerConnection['client']): void {
    const url = new URL(client.url);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    let handlers: WebSocketHandlers | undefined;
    let closedBeforeAccept: boolean | undefined;
    const pending: (string | Uint8Array)[] = [];
    // Frames are handed on in order; only Blobs (read asynchronously) make later frames wait.
    let reading: Promise<void> | undefined;
    const deliver = (frame: string | Uint8Array) =>
      handlers === undefined ? pending.push(frame) : handlers.message(frame);

    client.addEventListener('message', (event) => {
      const frame = toFrame(event.data as ClientData);
      if (frame instanceof Promise || reading !== undefined) {
        const current: Promise<void> = (reading ?? Promise.resolve()).then(() =>
          Promise.resolve(frame).then((bytes) => {
            deliver(bytes);
            if (reading === current) reading = undefined;
          }),
        );
        reading = current;
      } else {
        deliver(frame);
      }
    });
    client.addEventListener('close', (event) => {
      const clean = event.code !== 1006;
      if (handlers === undefined) closedBeforeAccept = clean;
      else if (reading === undefined) handlers.close(clean);
      else void reading.then(() => handlers!.close(clean));
    });

    this.upgrade(new Request(url)).then(
      (decision) => {
        if (decision === undefined || decision.kind === 'reject') {
          // msw cannot answer the upgrade with an HTTP status: close at once, the status in the reason.
          client.close(1008, `HTTP ${decision?.response.status ?? 404}`);
          return;
        }
        handlers = decision.accept({
          send: (data, binary) =>
            client.send(
              typeof data === 'string' ? data : binary ? exactBuffer(data) : textDecoder.decode(data),
            ),
          // msw's `client.send` delivers in a microtask and drops the frame if the socket is closing by then:
          // closing at once would lose the frames just sent (a Close message's error, a rejected handshake).
          // Closing in a later microtask lets them through first, in order, as a real socket flushes them.
          close: (code, reason) => queueMicrotask(() => client.close(code, reason)),
          terminate: () => client.close(1006, ''),
        });
        for (const frame of pending.splice(0)) handlers.message(frame);
        if (closedBeforeAccept !== undefined) handlers.close(closedBeforeAccept);
      },
      () => client.close(1011, 'HTTP 500'),
    );
  }

  close(): void {
    this.stop();
  }
}

/**
 * Creates msw handlers serving hubs, with the same options and controls as `createMockHubServer`.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { testPreset } from '@hubrx/mock-server';
 * import { createMswHub } from '@hubrx/mock-server/msw';
 *
 * const hub = createMswHub({ url: 'http://localhost:5000', ...testPreset() });
 * const server = setupServer(...hub.handlers);
 * server.listen();
 * // connect a client to http://localhost:5000/testhub ... then:
 * hub.close();
 * server.close();
 * ```
 */
export function createMswHub(options: MswHubOptions): MswHub {
  return new MswMockHub(options);
}
