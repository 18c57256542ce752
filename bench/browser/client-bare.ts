/**
 * The reference of the browser benchmark: a bare hub client on the browser's WebSocket API with no abstraction,
 * only what any client must do, the plain way: negotiate, handshake, split frames into messages (0x1e for JSON,
 * varint length prefixes for MessagePack), parse each (`JSON.parse`, @msgpack/msgpack's decoder) and dispatch by
 * target or invocation id to handlers, with a promise per invoke and a frame per send. No reconnect, keep-alive,
 * state or error handling beyond what the benchmark needs. A ceiling for a client's per-message overhead, not for
 * its parsing or sending: a client with a cheaper reader than `JSON.parse` per record (hubrx reads the JSON
 * envelope itself, and has its own MessagePack reader) or that coalesces sends into fewer frames can beat it.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { installBench, type ItemObserver, type Protocol } from './page-driver.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Handler = (...args: unknown[]) => void;

const decoder = new Decoder();
const encoder = new Encoder();

async function connect(url: string, protocol: Protocol, onTick: () => void) {
  const response = await fetch(`${url}/negotiate?negotiateVersion=1`, { method: 'POST' });
  const { connectionToken } = (await response.json()) as { connectionToken: string };
  const socketUrl = new URL(`${url}?id=${encodeURIComponent(connectionToken)}`, location.href);
  socketUrl.protocol = socketUrl.protocol.replace('http', 'ws');
  const socket = new WebSocket(socketUrl);
  socket.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error('WebSocket error'));
  });

  const handlers = new Map<string, Handler>([['Tick', onTick]]);
  const calls = new Map<string, Pending>();
  const streams = new Map<string, ItemObserver>();
  let ids = 0;

  function completion(id: string, error: string | undefined, result: unknown): void {
    const call = calls.get(id);
    if (call !== undefined) {
      calls.delete(id);
      if (error !== undefined) call.reject(new Error(error));
      else call.resolve(result);
      return;
    }
    const stream = streams.get(id);
    streams.delete(id);
    if (error !== undefined) stream?.error(new Error(error));
    else stream?.complete();
  }

  function receiveJson(text: string): void {
    let start = 0;
    for (let end = text.indexOf('\x1e'); end !== -1; start = end + 1, end = text.indexOf('\x1e', start)) {
      const m = JSON.parse(text.slice(start, end));
      switch (m.type) {
        case 1:
          handlers.get(m.target)?.(...m.arguments);
          break;
        case 2:
          streams.get(m.invocationId)?.next(m.item);
          break;
        case 3:
          completion(m.invocationId, m.error, m.result);
          break;
      }
    }
  }

  function receiveMsgpack(bytes: Uint8Array): void {
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
      switch (m[0]) {
        case 1:
          handlers.get(m[3] as string)?.(...(m[4] as unknown[]));
          break;
        case 2:
          streams.get(m[2] as string)?.next(m[3]);
          break;
        case 3:
          completion(
            m[2] as string,
            m[3] === 1 ? (m[4] as string) : undefined,
            m[3] === 3 ? m[4] : undefined,
          );
          break;
      }
    }
  }

  const receive =
    protocol === 'json'
      ? (event: MessageEvent) => receiveJson(event.data as string)
      : (event: MessageEvent) => receiveMsgpack(new Uint8Array(event.data as ArrayBuffer));

  // The handshake (always JSON text); its answer is the first frame, whatever follows it in there is messages.
  await new Promise<void>((resolve, reject) => {
    socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      const text = typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data);
      const end = text.indexOf('\x1e');
      const answer = JSON.parse(text.slice(0, end)) as { error?: string };
      if (answer.error !== undefined) return reject(new Error(answer.error));
      socket.onmessage = receive;
      if (typeof event.data === 'string') receiveJson(event.data.slice(end + 1));
      else receiveMsgpack(new Uint8Array(event.data, end + 1));
      resolve();
    };
    socket.onclose = () => reject(new Error('Closed during the handshake'));
    socket.send(`{"protocol":"${protocol}","version":1}\x1e`);
  });

  function send(type: 1 | 4, id: string | null, target: string, args: unknown[]): void {
    if (protocol === 'json') {
      const m =
        id === null ? { type, target, arguments: args } : { type, invocationId: id, target, arguments: args };
      socket.send(JSON.stringify(m) + '\x1e');
      return;
    }
    const body = encoder.encode([type, {}, id, target, args]);
    const prefix: number[] = [];
    let length = body.length;
    do {
      prefix.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
      length >>>= 7;
    } while (length > 0);
    const frame = new Uint8Array(prefix.length + body.length);
    frame.set(prefix);
    frame.set(body, prefix.length);
    socket.send(frame);
  }

  return {
    events: (count: number, perFrame: number) => send(1, null, 'Events', [count, perFrame]),
    stream(count: number, observer: ItemObserver) {
      const id = String(ids++);
      streams.set(id, observer);
      send(4, id, 'Counter', [count]);
    },
    add: (a: number, b: number) =>
      new Promise<unknown>((resolve, reject) => {
        const id = String(ids++);
        calls.set(id, { resolve, reject });
        send(1, id, 'Add', [a, b]);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        socket.onclose = () => resolve();
        socket.close();
      }),
  };
}

installBench(connect);
