import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MockServerError } from '../errors.js';
import { MockHubEngine, type MockHub, type MockHubOptions } from '../server/engine.js';
import { DropConnection } from '../transport/channel.js';
import { staticFiles, type StaticMounts } from './static-files.js';

/** Options of {@link createMockHubServer}: the hubs and settings, and where to listen. */
export interface MockHubServerOptions extends MockHubOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /**
   * Folders served as static files by URL prefix, after hubs and routes: `{ '/react/': 'dist/react' }` (GET and
   * HEAD; `index.html` for a folder; never outside the folder). For an app's pages next to its mock hubs.
   */
  readonly static?: StaticMounts;
}

/** A mock hub server listening on a real port. */
export interface MockHubServer extends MockHub {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
  /**
   * Simulates a server restart: every connection is dropped abruptly and the port stops answering, then the same
   * hubs listen again on the same port after `downtimeMs` (default 0). Connections, groups and pending results are
   * gone, as after a real restart.
   */
  restart(options?: { readonly downtimeMs?: number }): Promise<void>;
}

function toHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

async function readBody(message: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (message.method === 'GET' || message.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  // A Buffer over an ordinary (never shared) ArrayBuffer.
  return chunks.length === 0 ? undefined : Buffer.concat(chunks);
}

function toRequest(
  message: IncomingMessage,
  origin: string,
  body: Uint8Array<ArrayBuffer> | undefined,
  signal?: AbortSignal,
): Request {
  return new Request(new URL(message.url ?? '/', origin), {
    method: message.method ?? 'GET',
    headers: toHeaders(message),
    ...(body !== undefined && { body }),
    ...(signal !== undefined && { signal }),
  });
}

function responseHeaders(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return headers;
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers = responseHeaders(response);
  if (response.body === null) {
    // Kestrel answers an empty body with `Content-Length: 0`, not chunked.
    res.writeHead(response.status, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  res.writeHead(response.status, headers);
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (error) {
    // A stream ended with DropConnection (fault injection) or failed: the client sees the connection vanish.
    res.destroy(error instanceof DropConnection ? undefined : (error as Error));
  }
}

async function rejectUpgrade(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(responseHeaders(response))) {
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${v}\r\n`;
  }
  head += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/**
 * A broadcast hands the same string to every connection: encode it once, not once per socket (which is what
 * `ws.send(string)` would do). Remembers only the last string, so it holds nothing for long.
 */
let lastText: string | undefined;
let lastBytes: Buffer | undefined;
function textFrame(text: string): Buffer {
  if (text !== lastText) {
    lastText = text;
    lastBytes = Buffer.from(text, 'utf8');
  }
  return lastBytes!;
}

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** The engine on a real port. */
class NodeMockHubServer extends MockHubEngine implements MockHubServer {
  private readonly host: string;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private readonly files: ((request: Request) => Promise<Response | undefined>) | undefined;
  port: number;
  url = '';

  constructor(options: MockHubServerOptions) {
    super(options);
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.files = options.static === undefined ? undefined : staticFiles(options.static);
  }

  private origin(req: IncomingMessage): string {
    return `http://${req.headers.host ?? `${this.host}:${this.port}`}`;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const aborted = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    let response: Response | undefined;
    try {
      const request = toRequest(req, this.origin(req), await readBody(req), aborted.signal);
      response = (await this.handle(request)) ?? (await this.files?.(request));
    } catch (error) {
      if (error instanceof DropConnection) {
        req.socket.destroy();
        return;
      }
      response = new Response(`Internal server error: ${(error as Error).message}`, {
        status: 500,
        headers: { 'Content-Type': 'text/plain' },
      });
    }
    if (aborted.signal.aborted) return;
    await writeResponse(response ?? new Response(null, { status: 404 }), res);
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    let decision;
    try {
      decision = await this.upgrade(toRequest(req, this.origin(req), undefined));
    } catch (error) {
      return rejectUpgrade(socket, new Response((error as Error).message, { status: 500 }));
    }
    if (decision === undefined) return rejectUpgrade(socket, new Response(null, { status: 404 }));
    if (decision.kind === 'reject') return rejectUpgrade(socket, decision.response);
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // Frames sent in one turn (a batch of broadcasts, a result and its Completion) leave in one write: the TCP
      // socket is corked until the turn ends. Each stays its own WebSocket message; no payload is copied.
      const tcp = (ws as unknown as { _socket?: Socket })._socket;
      let corked = false;
      const uncork = () => {
        corked = false;
        tcp?.uncork();
      };
      const handlers = decision.accept({
        send: (data, binary) => {
          if (!corked && tcp !== undefined) {
            corked = true;
            tcp.cork();
            process.nextTick(uncork);
          }
          if (typeof data === 'string') ws.send(textFrame(data), TEXT);
          else ws.send(data, binary ? BINARY : TEXT);
        },
        close: (code, reason) => ws.close(code, reason),
        terminate: () => ws.terminate(),
      });
      // ASP.NET Core answers a client's close frame with 1000 and no reason, whatever code the client sent; `ws`
      // would echo the client's code. Answer first (a listener ahead of ws's own, on its receiver).
      const receiver = (
        ws as unknown as { _receiver?: { prependListener(event: string, fn: () => void): void } }
      )._receiver;
      receiver?.prependListener('conclude', () => {
        if (ws.readyState === ws.OPEN) ws.close(1000, '');
      });
      ws.on('message', (data) => handlers.message(asBytes(data)));
      // 1006: the socket went away without a close frame.
      ws.on('close', (code) => handlers.close(code !== 1006));
      ws.on('error', () => undefined);
    });
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.on(
      'upgrade',
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head),
    );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_error, socket: Duplex) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw new MockServerError(`Cannot listen on ${this.host}:${this.port}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.server = server;
    this.start();
  }

  private async shutdown(abrupt: boolean): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (abrupt) this.dropAll();
    this.stop();
    for (const ws of this.wss.clients) ws.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.shutdown(false);
    this.wss.close();
  }

  async restart(options: { readonly downtimeMs?: number } = {}): Promise<void> {
    await this.shutdown(true);
    if (options.downtimeMs !== undefined && options.downtimeMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, options.downtimeMs));
    }
    await this.listen();
  }
}

/**
 * Starts a mock hub server on Node's `http` and the `ws` package.
 *
 * @example
 * ```ts
 * import { createMockHubServer, defineHub } from '@hubrx/mock-server';
 *
 * const server = await createMockHubServer({
 *   hubs: { '/chat': defineHub({ methods: { Send: (ctx, text: string) => ctx.clients.all.send('Message', text) } }) },
 * });
 * // connect a client to `${server.url}/chat` ...
 * await server.waitForMessage({ target: 'Send' });
 * await server.close();
 * ```
 */
export async function createMockHubServer(options: MockHubServerOptions = {}): Promise<MockHubServer> {
  const server = new NodeMockHubServer(options);
  await server.listen();
  return server;
}
