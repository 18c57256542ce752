import { describe, expect, it } from 'vitest';
import { fixedDelays, noReconnect } from '../../src/client/reconnect-policy.js';
import { initialState } from '../../src/client/state.js';
import { ConnectionClosedError, NegotiateError } from '../../src/errors.js';
import { MessageType } from '../../src/protocol/messages.js';
import { createHub } from '../../src/shared/hub.js';
import { hubHarness, settle } from './support.js';

describe('createHub: lazy, reference-counted connections', () => {
  it('does nothing when created: no connection, no request, no timer', async () => {
    const { hub, server, clock } = hubHarness();
    await settle();
    expect(hub.consumers).toBe(0);
    expect(server.negotiations).toEqual([]);
    expect(clock.armed).toBe(0);
    // The state store reads the (still unstarted) connection's state; the server snapshot is the initial state.
    expect(hub.state.getSnapshot().status).toBe('disconnected');
    expect(hub.state.getServerSnapshot()).toBe(initialState);
    expect(server.negotiations).toEqual([]);
  });

  it('starts on the first retain, shares one connection, and stops graceMs after the last release', async () => {
    const { hub, server, clock } = hubHarness({ graceMs: 1000 });
    const releaseA = hub.retain();
    const releaseB = hub.retain();
    expect(hub.connection.state.status).toBe('connecting');
    await settle();
    expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: 'c1' });
    expect(server.negotiations).toHaveLength(1);
    releaseA();
    releaseA(); // idempotent: B still holds it
    await clock.advance(5000);
    expect(hub.connection.state.status).toBe('connected');
    releaseB();
    expect(hub.consumers).toBe(0);
    await clock.advance(999);
    expect(hub.connection.state.status).toBe('connected');
    await clock.advance(1);
    expect(hub.connection.state.status).toBe('disconnected');
    expect(server.sockets.size).toBe(0);
  });

  it('a consumer back within the grace period keeps the same connection (no new negotiate)', async () => {
    const { hub, server, clock } = hubHarness();
    hub.retain()();
    await settle();
    await clock.advance(1999);
    const release = hub.retain();
    await clock.advance(10_000);
    expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: 'c1' });
    expect(server.negotiations).toHaveLength(1);
    release();
    await clock.advance(2000);
    expect(hub.connection.state.status).toBe('disconnected');
    // After the grace period a new consumer gets a new connection.
    hub.retain();
    await settle();
    expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('a retain while the grace stop is under way starts again once stopped', async () => {
    const { hub, clock } = hubHarness({ graceMs: 0 });
    hub.retain()();
    await settle();
    let retainedWhile: string | undefined;
    const watch = hub.connection.state$.subscribe((state) => {
      if (state.status !== 'disconnecting' || retainedWhile !== undefined) return;
      retainedWhile = state.status;
      // Not from inside the emission: start() is only told about the stop once stop() has returned.
      queueMicrotask(() => hub.retain());
    });
    await clock.advance(0);
    await settle();
    watch.unsubscribe();
    expect(retainedWhile).toBe('disconnecting');
    expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('graceMs: Infinity keeps the connection; a negative graceMs is a RangeError', async () => {
    const { hub, clock } = hubHarness({ graceMs: Infinity });
    hub.retain()();
    await settle();
    await clock.advance(100_000);
    expect(hub.connection.state.status).toBe('connected');
    expect(() => createHub({ url: 'http://hub.test', graceMs: -1 })).toThrow(RangeError);
  });

  it('a failed start is started again by the next retain', async () => {
    const { hub, server } = hubHarness({ reconnect: noReconnect() });
    server.negotiateStatus = 500;
    hub.retain();
    await settle();
    expect(hub.connection.state.status).toBe('disconnected');
    expect(hub.connection.state.lastError).toBeInstanceOf(NegotiateError);
    server.negotiateStatus = 200;
    hub.retain();
    await settle();
    expect(hub.connection.state.status).toBe('connected');
    expect(server.negotiations).toHaveLength(2);
  });

  it('a first start is retried per the reconnect policy', async () => {
    const { hub, server, clock } = hubHarness({ reconnect: fixedDelays([1000]) });
    server.negotiateStatus = 500;
    hub.retain();
    await settle();
    expect(hub.connection.state).toMatchObject({ status: 'connecting', attempt: 1, nextRetryInMs: 1000 });
    server.negotiateStatus = 200;
    await clock.advance(1000);
    expect(hub.connection.state.status).toBe('connected');
  });

  it('a connection whose reconnect policy gave up is started again by the next retain', async () => {
    const { hub, server } = hubHarness({ reconnect: noReconnect() });
    hub.retain();
    await settle();
    server.socket.drop();
    await settle();
    expect(hub.connection.state.status).toBe('disconnected');
    hub.retain();
    await settle();
    expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('keeps a relative URL as given where there is no page (server rendering); starting it is a TypeError', async () => {
    const hub = createHub({ url: '/hubs/chat?room=1' });
    expect(hub.connection.url).toBe('/hubs/chat?room=1');
    await expect(hub.connection.start()).rejects.toThrow(
      new TypeError("Invalid hub URL '/hubs/chat?room=1': pass an absolute http(s) URL."),
    );
    expect(createHub({ url: 'https://example.com/hub' }).connection.url).toBe('https://example.com/hub');
  });
});

describe('SharedHub.ready', () => {
  it('starts the hub, resolves once connected, holds it only until then; one Promise while waiting', async () => {
    const { hub, clock } = hubHarness();
    const ready = hub.ready();
    expect(hub.ready()).toBe(ready);
    expect(hub.consumers).toBe(1);
    await expect(ready).resolves.toBe(hub.connection);
    expect(hub.consumers).toBe(0);
    await expect(hub.ready()).resolves.toBe(hub.connection);
    await clock.advance(2000);
    expect(hub.connection.state.status).toBe('disconnected');
  });

  it("rejects with the start's error; the same rejected Promise until a retain or retry()", async () => {
    const { hub, server } = hubHarness({ reconnect: noReconnect() });
    server.negotiateStatus = 503;
    const failed = hub.ready();
    await expect(failed).rejects.toBeInstanceOf(NegotiateError);
    // Rendering again (a Suspense retry) must not reconnect in a loop.
    expect(hub.ready()).toBe(failed);
    expect(server.negotiations).toHaveLength(1);
    server.negotiateStatus = 200;
    await expect(hub.retry()).resolves.toBe(hub.connection);
    expect(server.negotiations).toHaveLength(2);

    const other = hubHarness({ reconnect: noReconnect() });
    other.server.negotiateStatus = 503;
    await expect(other.hub.ready()).rejects.toBeInstanceOf(NegotiateError);
    other.server.negotiateStatus = 200;
    other.hub.retain(); // a consumer mounts: started again, and ready() waits for it
    await expect(other.hub.ready()).resolves.toBe(other.hub.connection);
  });

  it('rejects with the last error when the reconnect policy gives up, and when stopped by hand', async () => {
    const { hub, server, clock } = hubHarness({ reconnect: fixedDelays([1000]) });
    const release = hub.retain();
    await settle();
    server.negotiateStatus = 500;
    server.socket.drop();
    await settle();
    const ready = expect(hub.ready()).rejects.toBeInstanceOf(NegotiateError);
    await clock.advance(1000);
    await ready;
    release();

    const second = hubHarness();
    const waiting = second.hub.ready();
    void second.hub.connection.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
  });
});

describe('SharedHub.listen and answer', () => {
  it('listen runs the handler for each server call, retains the hub, and its release removes it', async () => {
    const { hub, server, clock } = hubHarness();
    const seen: unknown[][] = [];
    const stop = hub.listen('Message', (...args) => seen.push(args));
    expect(hub.consumers).toBe(1);
    await settle();
    server.send({ type: MessageType.Invocation, target: 'message', arguments: ['ann', 'hi'] });
    expect(seen).toEqual([['ann', 'hi']]);
    stop();
    stop();
    server.send({ type: MessageType.Invocation, target: 'Message', arguments: ['bob', 'bye'] });
    expect(seen).toHaveLength(1);
    await clock.advance(2000);
    expect(hub.connection.state.status).toBe('disconnected');
  });

  it('answer replies to client results until released; then the server gets the no-result error', async () => {
    const { hub, server } = hubHarness();
    const stop = hub.answer('Confirm', (question: string) => `yes: ${question}`);
    await settle();
    server.send({ type: MessageType.Invocation, target: 'Confirm', invocationId: '1', arguments: ['ok?'] });
    await settle();
    expect(() => hub.answer('confirm', () => 'again')).toThrow(/already registered/);
    expect(hub.consumers).toBe(1);
    stop();
    server.send({ type: MessageType.Invocation, target: 'Confirm', invocationId: '2', arguments: ['ok?'] });
    await settle();
    expect(server.sent(MessageType.Completion)).toEqual([
      { type: MessageType.Completion, invocationId: '1', result: 'yes: ok?' },
      { type: MessageType.Completion, invocationId: '2', error: "Client didn't provide a result." },
    ]);
  });
});

describe('SharedHub.state', () => {
  it('a store of the connection state: subscribing retains, listeners hear each change, leaving releases', async () => {
    const { hub, clock } = hubHarness({ graceMs: 10 });
    const statuses: string[] = [];
    const unsubscribe = hub.state.subscribe(() => statuses.push(hub.state.getSnapshot().status));
    expect(hub.consumers).toBe(1);
    await settle();
    expect(statuses).toEqual(['connecting', 'connected']);
    const snapshot = hub.state.getSnapshot();
    expect(hub.state.getSnapshot()).toBe(snapshot);
    unsubscribe();
    expect(hub.consumers).toBe(0);
    await clock.advance(10);
    expect(statuses).toEqual(['connecting', 'connected']);
    expect(hub.state.getSnapshot().status).toBe('disconnected');
  });

  it('ConnectionClosedError is what a stopped hub reports to ready() when nothing else is known', () => {
    expect(new ConnectionClosedError('x')).toBeInstanceOf(Error);
  });
});
