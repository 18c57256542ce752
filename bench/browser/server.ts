/**
 * The browser benchmark's SignalR server (bench/browser.ts starts it in a process of its own): a minimal hub
 * written for the bench on `ws` + node:http, with neither the mock server nor core's codecs, so that no client is
 * measured against our own code. It serves the benchmark pages and the client bundles on the hub's origin too.
 *
 * - `POST /hub/negotiate?negotiateVersion=1`: a connection token; WebSockets only (Text and Binary).
 * - `/hub?id=<token>`: the WebSocket transport; the handshake for `json` and `messagepack` (version 1).
 * - Hub methods: `Events(n, perFrame)` sends n `Tick(i, "xxxxxxxxxxxxxxxx")` invocations, `perFrame` to a WebSocket
 *   frame; `Counter(n)` streams the items 0..n-1, one a frame, then its completion; `Add(a, b)` answers a + b.
 *   Pings and anything else are ignored (no server pings either: a benchmark page lives far less than the
 *   clients' 30 s server timeout, and a ping would be one more message in a measured window).
 *
 * The server must never be what a figure measures, so it writes WebSocket frames itself, straight to the TCP
 * socket (`ws` only does the upgrade and parses the client's masked frames): server frames are unmasked, so a
 * frame is a 2-10 byte header and the payload. The Tick frames of an `Events` call are the same every time and
 * are built once; stream items are encoded and written in chunks, so the first reach the client at once and the
 * rest are encoded far faster than any browser takes them in. Answers to the frames of one TCP read go out in one
 * write (cork until the next tick), each still in a frame of its own.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const HUB = '/hub';
const RS = 0x1e;
const PAYLOAD = 'x'.repeat(16);
const STREAM_CHUNK = 512;
/** The page of each client: it loads the client's bundle, which installs `window.bench`. */
const CLIENTS = ['hubrx', 'official', 'bare'] as const;

type Protocol = 'json' | 'messagepack';

const bundles = new Map<string, Buffer>(
  CLIENTS.map((name) => [`/${name}.js`, readFileSync(`${process.argv[2]}/${name}.js`)]),
);
const page = (name: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title></head>` +
  `<body><script type="module" src="/${name}.js"></script></body></html>`;

const encoder = new Encoder();
const decoder = new Decoder();

/** One unmasked server frame: FIN + opcode (1 text, 2 binary), the length, the payload. */
function frame(payload: Buffer, protocol: Protocol): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerLength + length);
  out[0] = 0x80 | (protocol === 'json' ? 1 : 2);
  if (length < 126) out[1] = length;
  else if (length < 65536) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(out, headerLength);
  return out;
}

/** One hub message in the protocol's framing: JSON + 0x1e, or a varint length prefix + MessagePack. */
function message(protocol: Protocol, json: () => string, msgpack: () => unknown[]): Buffer {
  if (protocol === 'json') return Buffer.from(json() + '\x1e');
  const body = encoder.encode(msgpack());
  const prefix: number[] = [];
  let length = body.length;
  do {
    prefix.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    length >>>= 7;
  } while (length > 0);
  return Buffer.concat([Buffer.from(prefix), body]);
}

/** Tick frames by protocol, count and messages per frame: every `Events` call with the same ones gets the same bytes. */
const tickFrames = new Map<string, Buffer>();

function ticks(protocol: Protocol, count: number, perFrame: number): Buffer {
  const key = `${protocol}:${count}:${perFrame}`;
  let bytes = tickFrames.get(key);
  if (bytes === undefined) {
    const frames: Buffer[] = [];
    for (let i = 0; i < count; i += perFrame) {
      const messages: Buffer[] = [];
      for (let j = i; j < Math.min(count, i + perFrame); j++) {
        messages.push(
          message(
            protocol,
            () => `{"type":1,"target":"Tick","arguments":[${j},"${PAYLOAD}"]}`,
            () => [1, {}, null, 'Tick', [j, PAYLOAD]],
          ),
        );
      }
      frames.push(frame(Buffer.concat(messages), protocol));
    }
    bytes = Buffer.concat(frames);
    if (tickFrames.size > 32) tickFrames.clear();
    tickFrames.set(key, bytes);
  }
  return bytes;
}

function completion(protocol: Protocol, id: string, result?: number): Buffer {
  return message(
    protocol,
    () => JSON.stringify({ type: 3, invocationId: id, ...(result !== undefined && { result }) }),
    () => (result === undefined ? [3, {}, id, 2] : [3, {}, id, 3, result]),
  );
}

function streamItems(protocol: Protocol, socket: Duplex, id: string, count: number): void {
  for (let i = 0; i < count; i += STREAM_CHUNK) {
    const frames: Buffer[] = [];
    for (let j = i; j < Math.min(count, i + STREAM_CHUNK); j++) {
      const item = message(
        protocol,
        () => `{"type":2,"invocationId":${JSON.stringify(id)},"item":${j}}`,
        () => [2, {}, id, j],
      );
      frames.push(frame(item, protocol));
    }
    socket.write(Buffer.concat(frames));
  }
  socket.write(frame(completion(protocol, id), protocol));
}

/** An Invocation or StreamInvocation, decoded from either protocol. */
interface Call {
  readonly type: number;
  readonly id: string | undefined;
  readonly target: string;
  readonly args: readonly unknown[];
}

function dispatch(protocol: Protocol, socket: Duplex, call: Call): void {
  const { type, id, target, args } = call;
  if (type === 1 && target === 'Events') {
    socket.write(ticks(protocol, Number(args[0]), Math.max(1, Number(args[1]))));
    if (id !== undefined) socket.write(frame(completion(protocol, id), protocol));
  } else if (type === 4 && target === 'Counter' && id !== undefined) {
    streamItems(protocol, socket, id, Number(args[0]));
  } else if (type === 1 && target === 'Add' && id !== undefined) {
    socket.write(frame(completion(protocol, id, Number(args[0]) + Number(args[1])), protocol));
  } else if (id !== undefined) {
    const error = `Unknown hub method '${target}'.`;
    const body = message(
      protocol,
      () => JSON.stringify({ type: 3, invocationId: id, error }),
      () => [3, {}, id, 1, error],
    );
    socket.write(frame(body, protocol));
  }
}

function decodeJson(text: string): Call[] {
  const calls: Call[] = [];
  for (const record of text.split('\x1e')) {
    if (record === '') continue;
    const m = JSON.parse(record) as { type: number; invocationId?: string; target: string; arguments: [] };
    if (m.type === 1 || m.type === 4)
      calls.push({ type: m.type, id: m.invocationId, target: m.target, args: m.arguments });
  }
  return calls;
}

function decodeMsgpack(bytes: Buffer): Call[] {
  const calls: Call[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let length = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[offset++]!;
      length |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    const m = decoder.decode(bytes.subarray(offset, offset + length)) as unknown[];
    offset += length;
    if (m[0] === 1 || m[0] === 4) {
      calls.push({
        type: m[0],
        id: (m[2] ?? undefined) as string | undefined,
        target: m[3] as string,
        args: m[4] as unknown[],
      });
    }
  }
  return calls;
}

const tokens = new Set<string>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

function connection(ws: WebSocket, socket: Duplex): void {
  let protocol: Protocol | undefined;
  ws.on('message', (data: RawData) => {
    let bytes = data as Buffer;
    // Answers to everything this TCP read brought go out in one write.
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    if (protocol === undefined) {
      const end = bytes.indexOf(RS);
      const request = JSON.parse(bytes.subarray(0, end).toString()) as { protocol: string; version: number };
      const known =
        (request.protocol === 'json' || request.protocol === 'messagepack') && request.version === 1;
      protocol = request.protocol === 'messagepack' ? 'messagepack' : 'json';
      const answer = known ? '{}' : JSON.stringify({ error: `Unsupported protocol '${request.protocol}'.` });
      // In the connection's transfer format, as ASP.NET Core does (a binary frame for MessagePack).
      socket.write(frame(Buffer.from(answer + '\x1e'), protocol));
      if (!known) return void ws.close();
      bytes = bytes.subarray(end + 1);
      if (bytes.length === 0) return;
    }
    const calls = protocol === 'json' ? decodeJson(bytes.toString()) : decodeMsgpack(bytes);
    for (const call of calls) dispatch(protocol, socket, call);
  });
  ws.on('error', () => ws.terminate());
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const send = (status: number, type: string, body: string | Buffer) =>
    void response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  if (request.method === 'POST' && url.pathname === `${HUB}/negotiate`) {
    const connectionToken = randomUUID();
    tokens.add(connectionToken);
    request.resume();
    return send(
      200,
      'application/json',
      JSON.stringify({
        negotiateVersion: 1,
        connectionId: randomUUID(),
        connectionToken,
        availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
      }),
    );
  }
  const name = /^\/(\w+)\.html$/.exec(url.pathname)?.[1];
  if (request.method === 'GET' && bundles.has(`/${name}.js`))
    return send(200, 'text/html; charset=utf-8', page(name!));
  const bundle = bundles.get(url.pathname);
  if (request.method === 'GET' && bundle !== undefined)
    return send(200, 'text/javascript; charset=utf-8', bundle);
  send(404, 'text/plain', 'Not found');
});

server.on('upgrade', (request, socket, head) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const token = url.searchParams.get('id') ?? '';
  if (url.pathname !== HUB || !tokens.delete(token)) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => connection(ws, socket));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  console.log(`Now listening on: http://127.0.0.1:${address.port}`);
});
process.stdin.resume();
process.stdin.on('end', () => {
  for (const ws of wss.clients) ws.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
