import { jsonHubProtocol } from '../../src/protocol/json.js';
import type { HubMessage, HubProtocol } from '../../src/protocol/messages.js';
import { parseHandshakeRequest, writeHandshakeResponse } from '../../src/protocol/handshake.js';
import type { WebSocketConstructor, WebSocketLike } from '../../src/transports/transport.js';

type CloseEvent = { readonly code: number; readonly reason: string; readonly wasClean: boolean };

/** A browser-like WebSocket whose other end is a {@link FakeServer}. */
export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  /** Frames the client sent, as sent. */
  readonly frames: (string | Uint8Array)[] = [];
  handshaken = false;

  constructor(
    readonly url: string,
    readonly server: FakeServer,
  ) {}

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.frames.push(data as string | Uint8Array);
    this.server.received(this, data as string | Uint8Array);
  }

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.server.sockets.delete(this);
    queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: '', wasClean: true }));
  }

  /** Server side: delivers a frame to the client. */
  deliver(data: string | Uint8Array): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : data.slice().buffer });
  }

  /** Server side: the connection vanishes. */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.server.sockets.delete(this);
    this.onclose?.({ code, reason: '', wasClean: false });
  }
}

export interface FakeServerOptions {
  readonly protocol?: HubProtocol;
  /** Grant stateful reconnect when asked. */
  readonly stateful?: boolean;
  /** Refuse WebSocket connections (they close before opening). */
  readonly refuse?: () => boolean;
  /** Answer every handshake automatically. Default true. */
  readonly autoHandshake?: boolean;
}

/**
 * A scriptable SignalR server for unit tests: answers negotiate through a fake `fetch`, accepts WebSockets from
 * {@link FakeSocket}, completes handshakes, and records every hub message the client sent.
 */
export class FakeServer {
  readonly protocol: HubProtocol;
  readonly sockets = new Set<FakeSocket>();
  readonly allSockets: FakeSocket[] = [];
  /** Hub messages received from the client, in order (handshakes excluded). */
  readonly messages: HubMessage[] = [];
  readonly negotiations: string[] = [];
  negotiateStatus = 200;
  private ids = 0;

  constructor(readonly options: FakeServerOptions = {}) {
    this.protocol = options.protocol ?? jsonHubProtocol();
  }

  /** The WebSocket constructor to pass to the client. */
  get WebSocket(): WebSocketConstructor {
    return socketClass(this);
  }

  readonly fetch = ((input: string | URL, init?: RequestInit): Promise<Response> =>
    Promise.resolve(this.answer(String(input), init))) as typeof fetch;

  private answer(url: string, init: RequestInit | undefined): Response {
    if (init?.method === 'POST' && url.includes('/negotiate')) {
      this.negotiations.push(url);
      if (this.negotiateStatus !== 200) return new Response('nope', { status: this.negotiateStatus });
      const id = `c${++this.ids}`;
      const stateful = this.options.stateful === true && url.includes('useStatefulReconnect=true');
      return Response.json({
        ...(stateful && { useStatefulReconnect: true }),
        negotiateVersion: 1,
        connectionId: id,
        connectionToken: `t${this.ids}`,
        availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
      });
    }
    return new Response('not found', { status: 404 });
  }

  /** The socket that connected last. */
  get socket(): FakeSocket {
    const last = this.allSockets.at(-1);
    if (last === undefined) throw new Error('no socket');
    return last;
  }

  accept(socket: FakeSocket): void {
    this.allSockets.push(socket);
    queueMicrotask(() => {
      if (socket.readyState !== 0) return;
      if (this.options.refuse?.() === true) {
        socket.readyState = 3;
        socket.onclose?.({ code: 1006, reason: '', wasClean: false });
        return;
      }
      socket.readyState = 1;
      this.sockets.add(socket);
      socket.onopen?.({});
    });
  }

  received(socket: FakeSocket, data: string | Uint8Array): void {
    let rest: string | Uint8Array | undefined = data;
    if (!socket.handshaken) {
      if (typeof data === 'string' && data.startsWith('{"protocol"')) {
        const { remaining } = parseHandshakeRequest(data);
        socket.handshaken = true;
        if (this.options.autoHandshake !== false) socket.deliver(writeHandshakeResponse({}));
        rest = remaining;
      }
    }
    if (rest === undefined || (typeof rest === 'string' && rest === '')) return;
    this.messages.push(...this.protocol.parse(rest));
  }

  /** Sends hub messages to the client on the latest socket, in one frame. */
  send(...messages: HubMessage[]): void {
    const frames = messages.map((message) => this.protocol.write(message));
    this.socket.deliver(typeof frames[0] === 'string' ? frames.join('') : concat(frames as Uint8Array[]));
  }

  /** Messages of one type the client sent. */
  sent<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return this.messages.filter(
      (message): message is Extract<HubMessage, { type: T }> => message.type === type,
    );
  }
}

function socketClass(server: FakeServer): WebSocketConstructor {
  return class extends FakeSocket {
    constructor(url: string) {
      super(url, server);
      server.accept(this);
    }
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
