import { describe, expect, it } from 'vitest';
import { fixedDelays, noReconnect } from '../../src/client/reconnect-policy.js';
import { ConnectionClosedError, HubError } from '../../src/errors.js';
import { MessageType, type StreamInvocationMessage } from '../../src/protocol/messages.js';
import { HubStreamObserver, type StreamSnapshot } from '../../src/shared/stream-observer.js';
import type { FakeServer } from '../support/fake-server.js';
import { hubHarness, settle } from './support.js';

function invocations(server: FakeServer): StreamInvocationMessage[] {
  return server.sent(MessageType.StreamInvocation);
}

function item(server: FakeServer, invocationId: string, value: unknown): void {
  server.send({ type: MessageType.StreamItem, invocationId, item: value });
}

/** Subscribes and records every snapshot the listener sees. */
function watch<T>(observer: HubStreamObserver): { seen: StreamSnapshot<T>[]; stop: () => void } {
  const seen: StreamSnapshot<T>[] = [];
  const stop = observer.subscribe(() => seen.push(observer.getSnapshot() as StreamSnapshot<T>));
  return { seen, stop };
}

describe('HubStreamObserver', () => {
  it('retains the hub, starts once connected, collects items, completes', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Counter', args: [3] });
    expect(observer.getSnapshot()).toMatchObject({ items: [], status: 'streaming', error: null });
    expect(observer.getServerSnapshot()).toMatchObject({ items: [], status: 'idle' });
    expect(hub.consumers).toBe(0);
    const { seen } = watch<number>(observer);
    expect(hub.consumers).toBe(1);
    expect(invocations(server)).toEqual([]);
    await settle();
    expect(invocations(server)).toEqual([
      { type: MessageType.StreamInvocation, invocationId: '0', target: 'Counter', arguments: [3] },
    ]);
    item(server, '0', 1);
    const first = observer.getSnapshot();
    expect(observer.getSnapshot()).toBe(first);
    item(server, '0', 2);
    server.send({ type: MessageType.Completion, invocationId: '0' });
    expect(observer.getSnapshot()).toEqual({ items: [1, 2], latest: 2, error: null, status: 'complete' });
    expect(first).toEqual({ items: [1], latest: 1, error: null, status: 'streaming' }); // snapshots are immutable
    expect(seen.map((s) => s.status)).toEqual(['streaming', 'streaming', 'complete']);
  });

  it('keeps at most `keep` items; keep: 0 keeps only `latest`; a bad keep is a RangeError', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [], keep: 3 });
    watch(observer);
    await settle();
    for (let i = 1; i <= 5; i++) item(server, '0', i);
    expect(observer.getSnapshot()).toMatchObject({ items: [3, 4, 5], latest: 5 });
    observer.setOptions({ target: 'Ticks', args: [], keep: 1 });
    expect(observer.getSnapshot().items).toEqual([5]);
    observer.setOptions({ target: 'Ticks', args: [], keep: 0 });
    item(server, '0', 6);
    expect(observer.getSnapshot()).toMatchObject({ items: [], latest: 6 });
    expect(invocations(server)).toHaveLength(1);
    expect(() => observer.setOptions({ target: 'Ticks', args: [], keep: -1 })).toThrow(RangeError);
    expect(() => new HubStreamObserver(hub, { target: 'Ticks', args: [], keep: 1.5 })).toThrow(RangeError);
  });

  it('cancels when the last listener leaves; leaving and coming back at once changes nothing', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [] });
    const a = observer.subscribe(() => {});
    await settle();
    // StrictMode: cleanup and setup again in the same task.
    a();
    const b = observer.subscribe(() => {});
    await settle();
    expect(invocations(server)).toHaveLength(1);
    expect(server.sent(MessageType.CancelInvocation)).toEqual([]);
    b();
    await settle();
    expect(server.sent(MessageType.CancelInvocation)).toEqual([
      { type: MessageType.CancelInvocation, invocationId: '0' },
    ]);
    expect(hub.consumers).toBe(0);
  });

  it('a stream cancelled by leaving runs again when a listener comes back; a completed one does not', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [] });
    let stop = observer.subscribe(() => {});
    await settle();
    item(server, '0', 'a');
    stop();
    await settle();
    stop = observer.subscribe(() => {});
    await settle();
    expect(invocations(server).map((m) => m.invocationId)).toEqual(['0', '1']);
    // The old items show until the new stream's first item.
    expect(observer.getSnapshot().items).toEqual(['a']);
    item(server, '1', 'b');
    expect(observer.getSnapshot().items).toEqual(['b']);
    server.send({ type: MessageType.Completion, invocationId: '1' });
    stop();
    await settle();
    observer.subscribe(() => {});
    await settle();
    expect(invocations(server)).toHaveLength(2);
    expect(observer.getSnapshot().status).toBe('complete');
  });

  it('restarts when the arguments change by value, not when they are equal', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Feed', args: ['room', { from: 1 }] });
    watch(observer);
    await settle();
    item(server, '0', 'x');
    observer.setOptions({ target: 'Feed', args: ['room', { from: 1 }] });
    expect(invocations(server)).toHaveLength(1);
    observer.setOptions({ target: 'Feed', args: ['room', { from: 2 }] });
    expect(observer.getSnapshot()).toMatchObject({ items: [], latest: undefined, status: 'streaming' });
    await settle();
    expect(server.sent(MessageType.CancelInvocation)).toEqual([
      { type: MessageType.CancelInvocation, invocationId: '0' },
    ]);
    expect(invocations(server)[1]).toMatchObject({ invocationId: '1', arguments: ['room', { from: 2 }] });
    // A late item of the cancelled stream is ignored.
    item(server, '0', 'late');
    expect(observer.getSnapshot().items).toEqual([]);
  });

  it('enabled: false shows idle and runs nothing; enabling starts it, disabling cancels it', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [], enabled: false });
    expect(observer.getSnapshot().status).toBe('idle');
    watch(observer);
    await settle();
    expect(invocations(server)).toEqual([]);
    observer.setOptions({ target: 'Ticks', args: [], enabled: true });
    await settle();
    expect(invocations(server)).toHaveLength(1);
    item(server, '0', 1);
    observer.setOptions({ target: 'Ticks', args: [], enabled: false });
    await settle();
    expect(server.sent(MessageType.CancelInvocation)).toHaveLength(1);
    expect(observer.getSnapshot()).toMatchObject({ status: 'idle', items: [1] });
  });

  it("shows the server's error; restart() runs it again", async () => {
    const { hub, server } = hubHarness();
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [] });
    watch(observer);
    await settle();
    server.send({ type: MessageType.Completion, invocationId: '0', error: 'boom' });
    const { error, status } = observer.getSnapshot();
    expect(status).toBe('error');
    expect(error).toBeInstanceOf(HubError);
    expect(error?.message).toContain('boom');
    observer.restart();
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ status: 'streaming', error: null });
    expect(invocations(server)).toHaveLength(2);
  });

  it('is called again after a reconnect (a new connection); old items stay until the first new one', async () => {
    const { hub, server, clock } = hubHarness({ reconnect: fixedDelays([1000]) });
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [7] });
    watch(observer);
    await settle();
    item(server, '0', 1);
    server.socket.drop();
    await settle();
    expect(hub.connection.state.status).toBe('reconnecting');
    expect(observer.getSnapshot()).toMatchObject({ status: 'streaming', items: [1], error: null });
    await clock.advance(1000);
    expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
    const again = invocations(server).at(-1);
    expect(again).toMatchObject({ target: 'Ticks', arguments: [7] });
    expect(observer.getSnapshot().items).toEqual([1]);
    item(server, again!.invocationId, 2);
    expect(observer.getSnapshot().items).toEqual([2]);
  });

  it('shows the loss as an error when the reconnect policy gives up, and runs again on the next connection', async () => {
    const { hub, server } = hubHarness({ reconnect: noReconnect() });
    const observer = new HubStreamObserver(hub, { target: 'Ticks', args: [] });
    watch(observer);
    await settle();
    server.socket.drop();
    await settle();
    expect(observer.getSnapshot().status).toBe('error');
    expect(observer.getSnapshot().error).toBeInstanceOf(ConnectionClosedError);
    hub.retain(); // another consumer: the hub starts again
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ status: 'streaming', error: null });
    expect(invocations(server)).toHaveLength(2);
  });
});
