// Nothing outlives a connection: after stop() (from connected, reconnecting or connecting) and after the reconnect
// policy gives up, no timer is pending, no WebSocket or EventSource is open, no request is in flight, no upload is
// subscribed, and the server has seen the connection go.
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionClosedError, statefulReconnect, type TransportName } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { defineHub, testPreset, type MockHubServer } from '@hubrx/mock-server';
import {
  client,
  countingClock,
  countingEventSource,
  countingFetch,
  countingUpload,
  countingWebSocket,
  onCleanup,
  recordStates,
  signal,
  startServer,
  status,
  takeUnheardErrors,
  type ClientOptions,
} from './helpers.js';

const CLOSED = 2;

/** A connection whose timers, sockets, event sources and requests are counted. */
function instrumented(server: MockHubServer, path: string, options: ClientOptions = {}) {
  const clock = countingClock();
  const sockets = countingWebSocket();
  const sources = countingEventSource();
  const http = countingFetch();
  const connection = client(`${server.url}${path}`, {
    clock: clock.clock,
    WebSocket: nodeWebSocket(sockets.WebSocket),
    EventSource: sources.EventSource,
    fetch: http.fetch,
    ...options,
  });
  const states = recordStates(connection);
  const expectNothingLeft = () => {
    expect(
      clock.pending.map(
        (timer) => `${timer.ms} ms timer set at ${timer.stack.split('\n').slice(2, 5).join(' ')}`,
      ),
    ).toEqual([]);
    expect(sockets.open.size, 'WebSockets not closed').toBe(0);
    expect(
      sources.sources.filter((source) => source.readyState !== CLOSED),
      'EventSources not closed',
    ).toHaveLength(0);
    expect(http.inFlight, 'HTTP requests in flight').toBe(0);
  };
  return { connection, states, clock, sockets, sources, http, expectNothingLeft };
}

const settle = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => 'done' as const,
    (error: unknown) => error,
  );

/** A test-preset server whose negotiate can be held open (to stop a connection in the middle of it). */
async function holdableServer() {
  let hold = false;
  let arrived = signal();
  const release = signal();
  onCleanup(() => release.resolve());
  const preset = testPreset();
  const server = await startServer({
    ...preset,
    hubs: {
      ...preset.hubs,
      '/testhub': {
        ...preset.hubs!['/testhub']!,
        negotiate: async () => {
          if (hold) {
            arrived.resolve();
            await release.promise;
          }
          return undefined;
        },
      },
    },
  });
  return {
    server,
    /** Holds every negotiate from now on; resolves once one is held. */
    holdNegotiate: () => {
      hold = true;
      arrived = signal();
      return arrived.promise;
    },
  };
}

describe('after stop() from connected', () => {
  const cases: { transport: TransportName; stateful: boolean }[] = [
    { transport: 'webSockets', stateful: false },
    { transport: 'webSockets', stateful: true },
    { transport: 'serverSentEvents', stateful: false },
    { transport: 'longPolling', stateful: false },
  ];
  it.each(cases)(
    'nothing is left and the server sees the disconnect ($transport, stateful: $stateful)',
    async ({ transport, stateful }) => {
      const server = await startServer(testPreset());
      const { connection, clock, sockets, sources, expectNothingLeft } = instrumented(server, '/testhub', {
        transports: [transport],
        statefulReconnect: stateful && statefulReconnect(),
        keepAliveIntervalMs: 100,
        serverTimeoutMs: 30_000,
      });
      await connection.start();
      const id = connection.state.connectionId!;
      const invoked = countingUpload<number>();
      const sent = countingUpload<number>();
      const sum = settle(connection.invoke('Sum', invoked.source));
      await connection.send('Sum', sent.source);
      const delay = settle(connection.invoke('Delay', 10_000));
      const stream = settle(lastValueFrom(connection.stream('InfiniteStream')));
      await Promise.all([invoked.subscribed, sent.subscribed]);
      await server.waitForMessage({ direction: 'received', target: 'InfiniteStream', connectionId: id });
      await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId: id });
      const gone = server.waitForDisconnect(id);
      // The counters see the live connection: its timers (keep-alive, HTTP timeouts) and its socket or stream.
      expect(clock.pending.length).toBeGreaterThan(0);
      expect(sockets.open.size).toBe(transport === 'webSockets' ? 1 : 0);
      expect(sources.sources.filter((source) => source.readyState !== CLOSED)).toHaveLength(
        transport === 'serverSentEvents' ? 1 : 0,
      );

      await connection.stop();

      expectNothingLeft();
      expect(invoked.active).toBe(0);
      expect(sent.active).toBe(0);
      for (const outcome of await Promise.all([sum, delay, stream])) {
        expect(outcome).toBeInstanceOf(ConnectionClosedError);
      }
      await gone;
      expect(server.connection(id)).toBeUndefined();
      expect(connection.state.status).toBe('disconnected');
    },
  );
});

describe('after stop() from reconnecting', () => {
  it('while waiting between attempts', async () => {
    const server = await startServer(testPreset());
    const { connection, states, expectNothingLeft } = instrumented(server, '/testhub', {
      reconnect: () => 30,
    });
    await connection.start();
    const id = connection.state.connectionId!;
    const upload = countingUpload<number>();
    const sum = settle(connection.invoke('Sum', upload.source));
    await upload.subscribed;
    const from = states.states.length;
    server.faults.failNegotiate(1_000_000, { status: 503 });
    server.connection(id)!.drop();
    await states.next((s) => s.status === 'reconnecting' && s.attempt >= 2 && s.nextRetryInMs !== null, {
      from,
    });

    await connection.stop();

    expectNothingLeft();
    expect(upload.active).toBe(0);
    expect(await sum).toBeInstanceOf(ConnectionClosedError);
    expect(server.connection(id)).toBeUndefined();
    expect(connection.state.status).toBe('disconnected');
  });

  it('while an attempt is negotiating', async () => {
    const { server, holdNegotiate } = await holdableServer();
    const { connection, states, expectNothingLeft } = instrumented(server, '/testhub');
    await connection.start();
    const id = connection.state.connectionId!;
    const from = states.states.length;
    const held = holdNegotiate();
    server.connection(id)!.drop();
    await held;
    expect(connection.state.status).toBe('reconnecting');

    await connection.stop();

    expectNothingLeft();
    expect(states.statuses(from).at(-1)).toBe('disconnected');
  });

  it('while a stateful connection waits to be resumed', async () => {
    const server = await startServer(testPreset());
    const { connection, states, expectNothingLeft } = instrumented(server, '/testhub', {
      transports: ['webSockets'],
      statefulReconnect: statefulReconnect(),
      reconnect: () => 10_000,
    });
    await connection.start();
    const id = connection.state.connectionId!;
    const upload = countingUpload<number>();
    const sum = settle(connection.invoke('Sum', upload.source));
    await upload.subscribed;
    const from = states.states.length;
    server.connection(id)!.drop();
    await states.next((s) => s.status === 'reconnecting' && s.nextRetryInMs !== null, { from });

    await connection.stop();

    expectNothingLeft();
    expect(upload.active).toBe(0);
    expect(await sum).toBeInstanceOf(ConnectionClosedError);
  });
});

describe('after stop() from connecting', () => {
  it('while negotiating: start() rejects with an AbortError', async () => {
    const { server, holdNegotiate } = await holdableServer();
    const { connection, expectNothingLeft } = instrumented(server, '/testhub');
    const held = holdNegotiate();
    const started = settle(connection.start());
    await held;

    await connection.stop();

    expect(await started).toBeInstanceOf(AbortError);
    expectNothingLeft();
    expect(connection.state.status).toBe('disconnected');
    expect(server.connections).toHaveLength(0);
  });

  it('while waiting to retry the first start: start() rejects with an AbortError', async () => {
    const server = await startServer(testPreset());
    const { connection, states, expectNothingLeft } = instrumented(server, '/testhub', {
      reconnect: () => 10_000,
    });
    server.faults.failNegotiate(1, { status: 503 });
    const started = settle(connection.start({ retry: true }));
    await states.next((s) => s.status === 'connecting' && s.nextRetryInMs !== null);

    await connection.stop();

    expect(await started).toBeInstanceOf(AbortError);
    expectNothingLeft();
  });

  /** A connection whose WebSocket upgrade the server holds (the hub's authorization waits), stopped meanwhile. */
  async function stopDuringUpgrade() {
    const upgrading = signal();
    const release = signal();
    onCleanup(() => release.resolve());
    // The hub's authorization runs on every request: it holds the upgrade (and only it) until released.
    const server = await startServer({
      hubs: {
        '/hub': defineHub({
          methods: {},
          authorize: async (_user, request) => {
            if (request.headers.get('upgrade') === 'websocket') {
              upgrading.resolve();
              await release.promise;
            }
            return true;
          },
        }),
      },
    });
    const instruments = instrumented(server, '/hub', { transports: ['webSockets'] });
    const started = settle(instruments.connection.start());
    await upgrading.promise;
    expect(instruments.sockets.open.size).toBe(1);
    const [socket] = instruments.sockets.open;
    const socketClosed = new Promise((resolve) => socket!.once('close', resolve));
    await instruments.connection.stop();
    return { ...instruments, started, socketClosed };
  }

  it('while the WebSocket upgrade is pending: start() rejects with an AbortError, nothing is left', async () => {
    const { started, expectNothingLeft } = await stopDuringUpgrade();
    expect(await started).toBeInstanceOf(AbortError);
    expectNothingLeft();
  });

  it('while the WebSocket upgrade is pending: closing the socket throws nothing', async () => {
    const { socketClosed } = await stopDuringUpgrade();
    await socketClosed;
    // `ws` reports closing a connecting socket as an 'error' event: with no listener left, Node throws it.
    expect(takeUnheardErrors().map((error) => error.message)).toEqual([]);
  });

  it('during the WebSocket handshake: the socket is closed, start() rejects with an AbortError', async () => {
    const server = await startServer(testPreset());
    const sockets = countingWebSocket();
    const handshakeWithheld = signal();
    // Swallows the handshake request, so the connection stays in its handshake.
    class SilentWebSocket extends sockets.WebSocket {
      constructor(address: string | URL, protocols?: string | string[], options?: object) {
        super(address, protocols, options);
        const send = this.send.bind(this) as (data: unknown) => void;
        this.send = ((data: unknown) => {
          if (typeof data === 'string' && data.includes('"protocol"')) handshakeWithheld.resolve();
          else send(data);
        }) as never;
      }
    }
    const { connection, expectNothingLeft } = instrumented(server, '/testhub', {
      transports: ['webSockets'],
      WebSocket: nodeWebSocket(SilentWebSocket),
    });
    const started = settle(connection.start());
    await handshakeWithheld.promise;

    await connection.stop();

    expect(await started).toBeInstanceOf(AbortError);
    expectNothingLeft();
    expect(sockets.created()).toBe(1);
    expect(sockets.open.size).toBe(0);
  });
});

describe('after the reconnect policy gives up', () => {
  it.each([false, true])('nothing is left (stateful: %s)', async (stateful) => {
    const server = await startServer(testPreset());
    const { connection, states, expectNothingLeft } = instrumented(server, '/testhub', {
      transports: ['webSockets'],
      statefulReconnect: stateful && statefulReconnect(),
      reconnect: ({ attempt }) => (attempt <= 2 ? 10 : null),
    });
    await connection.start();
    const id = connection.state.connectionId!;
    const upload = countingUpload<number>();
    const sum = settle(connection.invoke('Sum', upload.source));
    await upload.subscribed;
    const from = states.states.length;
    // The server forgets the connection and refuses new ones.
    server.faults.failNegotiate(1_000_000, { status: 503 });
    await server.restart();

    const closed = await states.next(status('disconnected'), { from });
    expect(closed.lastError).toBeInstanceOf(Error);
    expectNothingLeft();
    expect(upload.active).toBe(0);
    expect(await sum).toBeInstanceOf(ConnectionClosedError);
    expect(server.connection(id)).toBeUndefined();
  });
});
