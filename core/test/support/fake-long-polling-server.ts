import { parseHandshakeRequest, writeHandshakeResponse } from '../../src/protocol/handshake.js';
import { jsonHubProtocol } from '../../src/protocol/json.js';
import { MessageType, type HubMessage } from '../../src/protocol/messages.js';

interface Connection {
  handshaken: boolean;
  polled: boolean;
  readonly outgoing: string[];
  waiting: ((response: Response) => void) | undefined;
}

/**
 * A JSON hub over Long Polling for unit tests, entirely in a fake `fetch`: negotiate offers Long Polling only, the
 * first poll returns at once, later polls wait for data, POSTs are parsed (the handshake is answered, `Echo`
 * invocations complete with their argument), DELETE ends the poll with 204.
 */
export class FakeLongPollingServer {
  readonly protocol = jsonHubProtocol();
  /** Hub messages the client sent, in order (handshakes excluded). */
  readonly messages: HubMessage[] = [];
  /** Every request the client made. */
  readonly requests: { readonly method: string; readonly url: URL; readonly body?: string }[] = [];
  /** While set, POSTs wait for it before they are answered (a send in flight). */
  postGate: Promise<void> | undefined;
  readonly #connections = new Map<string, Connection>();
  #ids = 0;

  readonly fetch = ((input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? init.body : undefined;
    this.requests.push({ method, url, ...(body !== undefined && { body }) });
    if (url.pathname.endsWith('/negotiate')) {
      const token = `t${++this.#ids}`;
      this.#connections.set(token, { handshaken: false, polled: false, outgoing: [], waiting: undefined });
      return Promise.resolve(
        Response.json({
          negotiateVersion: 1,
          connectionId: `c${this.#ids}`,
          connectionToken: token,
          availableTransports: [{ transport: 'LongPolling', transferFormats: ['Text', 'Binary'] }],
        }),
      );
    }
    const connection = this.#connections.get(url.searchParams.get('id') ?? '');
    if (connection === undefined) return Promise.resolve(new Response('No connection', { status: 404 }));
    if (method === 'GET') return this.#poll(connection, init.signal);
    if (method === 'POST') return this.#post(connection, body ?? '');
    this.#connections.delete(url.searchParams.get('id')!);
    connection.waiting?.(new Response(null, { status: 204 }));
    return Promise.resolve(new Response(null, { status: 202 }));
  }) as typeof fetch;

  /** Requests of one method. */
  count(method: string): number {
    return this.requests.filter((request) => request.method === method).length;
  }

  /** Messages of one type the client sent. */
  sent<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return this.messages.filter(
      (message): message is Extract<HubMessage, { type: T }> => message.type === type,
    );
  }

  #poll(connection: Connection, signal: AbortSignal | null | undefined): Promise<Response> {
    if (!connection.polled || connection.outgoing.length > 0) {
      connection.polled = true;
      return Promise.resolve(new Response(connection.outgoing.splice(0).join('')));
    }
    return new Promise((resolve, reject) => {
      const waiting = (connection.waiting = resolve);
      signal?.addEventListener('abort', () => {
        if (connection.waiting === waiting) connection.waiting = undefined;
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }

  async #post(connection: Connection, body: string): Promise<Response> {
    let rest = body;
    if (!connection.handshaken) {
      rest = (parseHandshakeRequest(body).remaining as string | undefined) ?? '';
      connection.handshaken = true;
      this.#write(connection, writeHandshakeResponse({}));
    }
    await this.postGate;
    const messages = rest === '' ? [] : this.protocol.parse(rest);
    this.messages.push(...messages);
    for (const message of messages) {
      if (message.type === MessageType.Invocation && message.target === 'Echo' && message.invocationId) {
        const { invocationId } = message;
        const reply = this.protocol.write({
          type: MessageType.Completion,
          invocationId,
          result: message.arguments[0],
        });
        this.#write(connection, reply as string);
      }
    }
    return new Response('');
  }

  #write(connection: Connection, frame: string): void {
    connection.outgoing.push(frame);
    const waiting = connection.waiting;
    if (waiting === undefined) return;
    connection.waiting = undefined;
    waiting(new Response(connection.outgoing.splice(0).join('')));
  }
}
