import { firstValueFrom, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../src/client/outbox.js';
import { exponentialBackoff, fixedDelays, noReconnect } from '../../src/client/reconnect-policy.js';
import { ConnectionClosedError, NegotiateError, ProtocolError, TimeoutError } from '../../src/errors.js';
import { MessageType } from '../../src/protocol/messages.js';
import { createHubConnection } from '../../src/client/hub-connection.js';
import { connected, harness } from '../support/connection.js';
import { FakeServer } from '../support/fake-server.js';
import { flush, VirtualClock } from '../support/virtual-clock.js';

describe('HubConnection: keep-alive', () => {
  it('pings after 15 s without sending; arms no timer per received frame', async () => {
    const h = harness();
    await connected(h);
    const armed = h.clock.armed;
    for (let i = 0; i < 500; i++)
      h.server.send({ type: MessageType.Invocation, target: 'Tick', arguments: [i] });
    expect(h.clock.armed).toBe(armed);
    await h.clock.advance(14_999);
    expect(h.server.sent(MessageType.Ping)).toHaveLength(1);
    h.server.send({ type: MessageType.Ping });
    await h.clock.advance(1);
    expect(h.server.sent(MessageType.Ping)).toHaveLength(2);
  });

  it('a silent server times out after 30 s: TimeoutError, then a reconnect per the policy', async () => {
    const h = harness({ reconnect: fixedDelays([0, 5000]) });
    await connected(h);
    h.server.socket.onmessage = null;
    await h.clock.advance(29_999);
    expect(h.connection.state.status).toBe('connected');
    await h.clock.advance(1);
    const lost = h.states.find((state) => state.status === 'reconnecting');
    expect(lost?.lastError).toBeInstanceOf(TimeoutError);
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
    expect(h.server.negotiations).toHaveLength(2);
    expect(h.statuses()).toEqual(['disconnected', 'connecting', 'connected', 'reconnecting', 'connected']);
  });
});

describe('HubConnection: reconnect', () => {
  it('fails pending calls with ConnectionClosedError when the connection drops; on() survives', async () => {
    const h = harness({ reconnect: fixedDelays([1000]) });
    await connected(h);
    const seen: unknown[] = [];
    h.connection.on('Tick').subscribe(([n]) => seen.push(n));
    const pending = h.connection.invoke('Slow').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await flush();
    h.server.socket.drop();
    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ invocationId: '0' });
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 1, nextRetryInMs: 1000 });
    await h.clock.advance(1000);
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2', attempt: 0 });
    h.server.send({ type: MessageType.Invocation, target: 'Tick', arguments: [7] });
    expect(seen).toEqual([7]);
  });

  it('reconnectNow() ends the wait at once; nextRetryAt is when the wait would have ended', async () => {
    const h = harness({ reconnect: fixedDelays([10_000, 10_000]) });
    await connected(h);
    const idle = h.clock.pending;
    h.connection.reconnectNow(); // connected: nothing to do
    h.server.negotiateStatus = 503;
    const lostAt = h.clock.now();
    h.server.socket.drop();
    await flush();
    expect(h.connection.state).toMatchObject({
      status: 'reconnecting',
      attempt: 1,
      nextRetryInMs: 10_000,
      nextRetryAt: lostAt + 10_000,
    });
    h.connection.reconnectNow();
    await flush();
    // The attempt ran now (and failed): the policy's next wait began, on the clock as it is.
    expect(h.server.negotiations).toHaveLength(2);
    expect(h.connection.state).toMatchObject({ attempt: 2, nextRetryAt: lostAt + 10_000 });
    h.server.negotiateStatus = 200;
    h.connection.reconnectNow();
    await flush();
    expect(h.connection.state).toMatchObject({ status: 'connected', nextRetryAt: null });
    expect(h.clock.now()).toBe(lostAt);
    expect(h.clock.pending).toBe(idle); // no wait left behind
  });

  it('a call made when `reconnecting` is reported goes to the next connection, not failed with the old', async () => {
    const h = harness({ outbox: outbox(), reconnect: fixedDelays([1000]) });
    await connected(h);
    let made: Promise<unknown> | undefined;
    h.connection.state$.subscribe((state) => {
      if (state.status === 'reconnecting' && made === undefined) {
        made = firstValueFrom(h.connection.invoke('Rejoin', 'room'));
      }
    });
    h.server.socket.drop();
    await h.clock.advance(1000);
    const [rejoin] = h.server.sent(MessageType.Invocation);
    expect(rejoin).toMatchObject({ target: 'Rejoin', arguments: ['room'] });
    h.server.send({ type: MessageType.Completion, invocationId: rejoin!.invocationId!, result: 'ok' });
    expect(await made).toBe('ok');
  });

  it('gives up when the policy says so, reporting the last error', async () => {
    const h = harness({ reconnect: fixedDelays([0, 100]) });
    await connected(h);
    h.server.negotiateStatus = 503;
    h.server.socket.drop();
    await h.clock.advance(100);
    expect(h.connection.state.status).toBe('disconnected');
    expect(h.connection.state.lastError).toBeInstanceOf(NegotiateError);
    expect(h.connection.state.lastError).toMatchObject({ statusCode: 503 });
    expect(h.clock.pending).toBe(0);
  });

  it('exponentialBackoff({ maxElapsedMs }) gives up once that long has passed since the loss', async () => {
    const h = harness({
      reconnect: exponentialBackoff({ initialMs: 1000, jitter: 'none', maxElapsedMs: 5000 }),
    });
    await connected(h);
    // Long enough connected that the loss starts a new backoff.
    await h.clock.advance(10_000);
    h.server.negotiateStatus = 503;
    h.server.socket.drop();
    await h.clock.advance(0);
    // Attempts at 0, 1 s and 3 s after the loss fail; the next would wait 4 s, to 7 s.
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 2, nextRetryInMs: 1000 });
    await h.clock.advance(1000);
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 3, nextRetryInMs: 2000 });
    await h.clock.advance(2000);
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 4, nextRetryInMs: 4000 });
    await h.clock.advance(3999);
    expect(h.connection.state.status).toBe('reconnecting');
    await h.clock.advance(1);
    // Attempt 4 failed 7 s after the loss, past the 5 s: no fifth.
    expect(h.connection.state.status).toBe('disconnected');
    expect(h.connection.state.lastError).toMatchObject({ name: 'NegotiateError', statusCode: 503 });
    expect(h.server.negotiations).toHaveLength(5);
    expect(h.clock.pending).toBe(0);
  });

  it('a server Close without allowReconnect closes for good, with its error', async () => {
    const h = harness();
    await connected(h);
    h.server.send({ type: MessageType.Close, error: 'Kicked.' });
    await flush();
    expect(h.connection.state.status).toBe('disconnected');
    expect(h.connection.state.lastError?.message).toContain('Kicked.');
    expect(h.server.negotiations).toHaveLength(1);
  });

  it('a server Close with allowReconnect reconnects', async () => {
    const h = harness();
    await connected(h);
    h.server.send({ type: MessageType.Close, error: 'Restarting.', allowReconnect: true });
    await h.clock.advance(0);
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('a malformed frame is a ProtocolError and the connection is re-established', async () => {
    const h = harness();
    await connected(h);
    h.server.socket.deliver('{"type":1,"target":42}\x1e');
    await h.clock.advance(0);
    expect(h.states.find((state) => state.status === 'reconnecting')?.lastError).toBeInstanceOf(
      ProtocolError,
    );
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('a connection lost soon after it was made continues the backoff instead of retrying at once', async () => {
    const h = harness({ reconnect: fixedDelays([0, 1000, 2000, 4000]) });
    await connected(h);
    h.server.socket.drop();
    await h.clock.advance(0);
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
    await h.clock.advance(100);
    h.server.socket.drop();
    await flush();
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 2, nextRetryInMs: 1000 });
    await h.clock.advance(1000);
    await h.clock.advance(6000);
    h.server.socket.drop();
    await flush();
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 1, nextRetryInMs: 0 });
  });

  it('noReconnect closes at once', async () => {
    const h = harness({ reconnect: noReconnect() });
    await connected(h);
    h.server.socket.drop();
    await flush();
    expect(h.statuses()).toEqual(['disconnected', 'connecting', 'connected', 'reconnecting', 'disconnected']);
  });
});

describe('HubConnection: start', () => {
  it('uses the global fetch and WebSocket as they are when connecting, not as they were when created', async () => {
    // As with an app-wide connection created on import, before a test's msw server patches the globals.
    const clock = new VirtualClock();
    const server = new FakeServer();
    const connection = createHubConnection({
      url: 'http://hub.test/chat',
      transports: ['webSockets'],
      clock,
    });
    const g = globalThis as { fetch: typeof fetch; WebSocket?: unknown };
    const saved = { fetch: g.fetch, WebSocket: g.WebSocket };
    g.fetch = server.fetch;
    g.WebSocket = server.WebSocket;
    try {
      await connection.start();
      expect(connection.state).toMatchObject({ status: 'connected', connectionId: 'c1' });
      expect(server.negotiations).toHaveLength(1);
      await connection.stop();
    } finally {
      g.fetch = saved.fetch;
      g.WebSocket = saved.WebSocket;
    }
  });

  it('rejects with the negotiate error and ends disconnected', async () => {
    const h = harness();
    h.server.negotiateStatus = 500;
    const error = await h.connection.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NegotiateError);
    expect(error).toMatchObject({ statusCode: 500 });
    expect(h.connection.state).toMatchObject({ status: 'disconnected', lastError: error });
    expect(h.clock.pending).toBe(0);
  });

  it('with retry, follows the policy until the server answers', async () => {
    const h = harness({ reconnect: fixedDelays([1000, 1000, 1000]) });
    h.server.negotiateStatus = 503;
    const started = h.connection.start({ retry: true });
    await flush();
    expect(h.connection.state).toMatchObject({ status: 'connecting', attempt: 1, nextRetryInMs: 1000 });
    await h.clock.advance(1000);
    expect(h.connection.state).toMatchObject({ status: 'connecting', attempt: 2 });
    h.server.negotiateStatus = 200;
    await h.clock.advance(1000);
    await started;
    expect(h.connection.state.status).toBe('connected');
  });

  it('returns the same promise while connecting, and starts again after a stop', async () => {
    const h = harness();
    const a = h.connection.start();
    const b = h.connection.start();
    await Promise.all([a, b]);
    expect(h.server.negotiations).toHaveLength(1);
    const stopped = h.connection.stop();
    const again = h.connection.start();
    await stopped;
    await again;
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('a refused handshake rejects with a ProtocolError naming the reason', async () => {
    const h = harness({}, { autoHandshake: false });
    const started = h.connection.start().catch((e: unknown) => e);
    await flush();
    h.server.socket.deliver('{"error":"Requested protocol \'json\' is not available."}\x1e');
    const error = await started;
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain("Requested protocol 'json' is not available.");
  });

  it("a Close in the same frame as the handshake answer fails the start with the server's error", async () => {
    const h = harness({}, { autoHandshake: false });
    const started = h.connection.start().catch((e: unknown) => e);
    await flush();
    h.server.socket.deliver(
      '{}\x1e{"type":7,"error":"Connection closed with an error. Exception: Not today."}\x1e',
    );
    const error = await started;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain('Not today.');
    expect(h.connection.state).toMatchObject({ status: 'disconnected', lastError: error });
  });

  it('an unanswered handshake times out', async () => {
    const h = harness({ serverTimeoutMs: 5000, keepAliveIntervalMs: 1000 }, { autoHandshake: false });
    const started = h.connection.start().catch((e: unknown) => e);
    await h.clock.advance(5000);
    expect(await started).toBeInstanceOf(TimeoutError);
  });
});

describe('HubConnection: stop', () => {
  it('sends Close, closes the socket, fails pending calls and leaves no timer', async () => {
    const h = harness();
    await connected(h);
    const pending = h.connection.invoke('Slow').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await flush();
    const socket = h.server.socket;
    await h.connection.stop();
    expect(h.server.sent(MessageType.Close)).toHaveLength(1);
    expect(socket.readyState).toBe(3);
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    expect(h.clock.pending).toBe(0);
    expect(h.statuses()).toEqual([
      'disconnected',
      'connecting',
      'connected',
      'disconnecting',
      'disconnected',
    ]);
  });

  it('while waiting to reconnect: no attempt follows and nothing is left', async () => {
    const h = harness({ reconnect: fixedDelays([60_000]) });
    await connected(h);
    h.server.socket.drop();
    await flush();
    expect(h.connection.state.status).toBe('reconnecting');
    await h.connection.stop();
    expect(h.clock.pending).toBe(0);
    await h.clock.advance(120_000);
    expect(h.server.negotiations).toHaveLength(1);
    expect(h.connection.state.status).toBe('disconnected');
  });

  it('while connecting: start rejects and nothing is left', async () => {
    const h = harness({}, { autoHandshake: false });
    const started = h.connection.start().catch((e: unknown) => e);
    await flush();
    await h.connection.stop();
    expect(((await started) as Error).name).toBe('AbortError');
    expect(h.clock.pending).toBe(0);
    expect(h.server.sockets.size).toBe(0);
  });
});

describe('HubConnection: outbox', () => {
  it('queues calls while reconnecting and sends them in order once connected', async () => {
    const h = harness({ outbox: outbox(), reconnect: fixedDelays([1000]) });
    await connected(h);
    h.server.socket.drop();
    await flush();
    const sent = h.connection.send('Queued', 1);
    const result = firstValueFrom(h.connection.invoke('Add', 2, 3));
    await h.clock.advance(1000);
    await sent;
    const invocations = h.server.sent(MessageType.Invocation);
    expect(invocations.map((m) => m.target)).toEqual(['Queued', 'Add']);
    h.server.send({ type: MessageType.Completion, invocationId: invocations[1]!.invocationId!, result: 5 });
    expect(await result).toBe(5);
  });

  it('sends what it queued before anything sent in reaction to `connected`', async () => {
    const h = harness({ outbox: outbox(), reconnect: fixedDelays([1000]) });
    await connected(h);
    h.server.socket.drop();
    await flush();
    void h.connection.send('Queued');
    h.connection.state$.subscribe((state) => {
      if (state.status === 'connected') void h.connection.send('OnConnected');
    });
    await h.clock.advance(1000);
    await flush();
    expect(h.server.sent(MessageType.Invocation).map((m) => m.target)).toEqual(['Queued', 'OnConnected']);
  });

  it('fails at once past its limit, and fails what waits when stopped', async () => {
    const h = harness({ outbox: outbox({ limit: 1 }), reconnect: fixedDelays([60_000]) });
    await connected(h);
    h.server.socket.drop();
    await flush();
    const first = h.connection.send('One').catch((e: unknown) => e);
    await expect(h.connection.send('Two')).rejects.toBeInstanceOf(ConnectionClosedError);
    await h.connection.stop();
    expect(await first).toBeInstanceOf(ConnectionClosedError);
  });

  it('a queued call that is cancelled is not sent', async () => {
    const h = harness({ outbox: outbox(), reconnect: fixedDelays([1000]) });
    await connected(h);
    h.server.socket.drop();
    await flush();
    const subscription = h.connection.invoke('Never').subscribe({ error: () => undefined });
    subscription.unsubscribe();
    await h.clock.advance(1000);
    expect(h.server.sent(MessageType.Invocation)).toEqual([]);
    expect(h.server.sent(MessageType.CancelInvocation)).toEqual([]);
  });
});

describe('HubConnection: access tokens', () => {
  it('puts the token in the WebSocket query (browser WebSocket) and redacts it from logs', async () => {
    const lines: string[] = [];
    const h = harness({
      accessTokenFactory: () => 'secret-token',
      logger: { log: (_level, message) => lines.push(message) },
    });
    await connected(h);
    expect(h.server.socket.url).toBe('ws://hub.test/chat?id=t1&access_token=secret-token');
    await h.connection.stop();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('secret-token');
    expect(lines.join('\n')).not.toContain('id=t1');
  });
});

describe('HubConnection: state$', () => {
  it('gives each subscriber the current state, then every change, until it unsubscribes', async () => {
    const h = harness();
    await connected(h);
    const late: string[] = [];
    const subscription = h.connection.state$.subscribe((state) => late.push(state.status));
    expect(late).toEqual(['connected']);
    // One subscriber unsubscribing another while a state is being emitted: the other gets nothing more.
    const first: string[] = [];
    const other: string[] = [];
    const killer = h.connection.state$.subscribe((state) => {
      first.push(state.status);
      if (state.status === 'disconnecting') second.unsubscribe();
    });
    const second = h.connection.state$.subscribe((state) => other.push(state.status));
    await h.connection.stop();
    expect(late).toEqual(['connected', 'disconnecting', 'disconnected']);
    expect(first).toEqual(['connected', 'disconnecting', 'disconnected']);
    expect(other).toEqual(['connected']);
    subscription.unsubscribe();
    killer.unsubscribe();
    await h.connection.start();
    expect(late).toHaveLength(3);
  });

  it('a subscriber that unsubscribes on the first state is gone at once', async () => {
    const h = harness();
    const seen: string[] = [];
    h.connection.state$.pipe(take(1)).subscribe((state) => seen.push(state.status));
    await connected(h);
    expect(seen).toEqual(['disconnected']);
  });
});
