// A custom `Transport` object in `transports`: an in-memory transport whose other end is a tiny hub.
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { parseHandshakeRequest, writeHandshakeResponse } from '../../src/protocol/handshake.js';
import { jsonHubProtocol } from '../../src/protocol/json.js';
import { MessageType, type HubMessage } from '../../src/protocol/messages.js';
import type { TransferFormat, Transport, TransportEvents } from '../../src/transports/transport.js';
import { harness } from '../support/connection.js';

const protocol = jsonHubProtocol();

/**
 * A Transport that carries frames to an in-memory hub: it answers the handshake, completes `Add` invocations with
 * the sum of their arguments, and records every other message. Replies come a microtask later, as from a network.
 */
class InMemoryTransport implements Transport {
  readonly connects: { url: string; format: TransferFormat }[] = [];
  readonly received: HubMessage[] = [];
  stops = 0;
  #events: TransportEvents | undefined;
  #handshaken = false;

  constructor(
    readonly name: string,
    readonly inherentKeepAlive: boolean,
  ) {}

  connect(url: string, format: TransferFormat, events: TransportEvents): Promise<void> {
    this.connects.push({ url, format });
    this.#events = events;
    this.#handshaken = false;
    return Promise.resolve();
  }

  send(data: string | Uint8Array): void {
    if (this.#events === undefined) throw new Error('not connected');
    let rest: string | undefined = data as string;
    if (!this.#handshaken) {
      this.#handshaken = true;
      rest = parseHandshakeRequest(rest).remaining as string | undefined;
      this.#reply(writeHandshakeResponse({}));
    }
    for (const message of rest ? protocol.parse(rest) : []) {
      this.received.push(message);
      if (message.type === MessageType.Invocation && message.target === 'Add') {
        const [a, b] = message.arguments as [number, number];
        const invocationId = message.invocationId!;
        this.#reply(protocol.write({ type: MessageType.Completion, invocationId, result: a + b }) as string);
      }
    }
  }

  stop(): Promise<void> {
    this.stops++;
    this.#events = undefined;
    return Promise.resolve();
  }

  /** The hub's side: ends the transport as a network failure would. */
  fail(error: Error): void {
    const events = this.#events;
    this.#events = undefined;
    events?.close(error);
  }

  #reply(frame: string): void {
    queueMicrotask(() => this.#events?.receive(frame));
  }
}

/** A custom transport that cannot connect. */
function broken(error: Error): Transport & { readonly attempts: number } {
  let attempts = 0;
  return {
    name: 'broken',
    inherentKeepAlive: false,
    get attempts() {
      return attempts;
    },
    connect: () => {
      attempts++;
      return Promise.reject(error);
    },
    send: () => undefined,
    stop: () => Promise.resolve(),
  };
}

describe('a custom Transport', () => {
  it('connects, handshakes and invokes through it; state$ shows its name', async () => {
    const transport = new InMemoryTransport('inMemory', true);
    const h = harness({ transports: [transport] });
    await h.connection.start();
    expect(h.connection.state).toMatchObject({
      status: 'connected',
      transport: 'inMemory',
      connectionId: 'c1',
    });
    expect(h.states.some((s) => s.status === 'connected' && s.transport === 'inMemory')).toBe(true);
    // Negotiated as usual: the transport gets the connection token in the URL, and the protocol's format.
    expect(h.server.negotiations).toHaveLength(1);
    expect(transport.connects).toEqual([{ url: 'http://hub.test/chat?id=t1', format: 'text' }]);
    expect(await h.connection.invoke('Add', 2, 3)).toBe(5);
    await h.connection.stop();
    expect(transport.stops).toBe(1);
    expect(transport.received.at(-1)).toEqual({ type: MessageType.Close });
  });

  it('is connected again after a loss (a Transport must support connect after stop)', async () => {
    const transport = new InMemoryTransport('inMemory', true);
    const h = harness({ transports: [transport] });
    await h.connection.start();
    transport.fail(new Error('cable cut'));
    await h.clock.advance(0);
    expect(h.connection.state).toMatchObject({
      status: 'connected',
      connectionId: 'c2',
      transport: 'inMemory',
    });
    expect(h.statuses()).toEqual(['disconnected', 'connecting', 'connected', 'reconnecting', 'connected']);
    expect(transport.connects.map((c) => c.url)).toEqual([
      'http://hub.test/chat?id=t1',
      'http://hub.test/chat?id=t2',
    ]);
    expect(await h.connection.invoke('Add', 1, 1)).toBe(2);
    await h.connection.stop();
  });

  it.each([
    [true, 'sends no Ping and runs no server timeout'],
    [false, 'is kept alive with Pings and times out a silent hub'],
  ])('inherentKeepAlive: %s %s', async (inherent) => {
    const transport = new InMemoryTransport('inMemory', inherent);
    const h = harness({
      transports: [transport],
      keepAliveIntervalMs: 100,
      serverTimeoutMs: 300,
      reconnect: () => null,
    });
    await h.connection.start();
    for (let i = 0; i < 30; i++) await h.clock.advance(100);
    const pings = transport.received.filter((m) => m.type === MessageType.Ping);
    if (inherent) {
      expect(pings).toEqual([]);
      expect(h.connection.state).toMatchObject({ status: 'connected', lastError: null });
      expect(await h.connection.invoke('Add', 20, 22)).toBe(42);
    } else {
      expect(pings.length).toBeGreaterThan(0);
      expect(h.connection.state.status).toBe('disconnected');
      expect(h.connection.state.lastError).toMatchObject({ name: 'TimeoutError', timeoutMs: 300 });
    }
    await h.connection.stop();
  });

  it('when it fails to connect, the next transport in the list is tried', async () => {
    const failing = broken(new Error('no carrier'));
    const h = harness({ transports: [failing, 'webSockets'] });
    await h.connection.start();
    expect(failing.attempts).toBe(1);
    expect(h.connection.state.transport).toBe('webSockets');
    // The failed attempt may have spoilt its server connection: the next transport negotiates anew.
    expect(h.server.negotiations).toHaveLength(2);
    expect(h.server.socket.url).toContain('id=t2');
    await h.connection.stop();
  });

  it('when nothing connects, TransportError.attempts lists it by its name, with its error', async () => {
    const cause = new Error('no carrier');
    const failing = broken(cause);
    const h = harness({ transports: [failing, 'longPolling'], reconnect: () => null });
    const error = await h.connection.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    const { attempts } = error as TransportError;
    expect(attempts.map((a) => a.transport)).toEqual(['broken', 'longPolling']);
    expect(attempts[0]!.error).toBe(cause);
    expect(attempts[1]!.error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain('broken: no carrier');
    expect(h.connection.state.status).toBe('disconnected');
  });
});
