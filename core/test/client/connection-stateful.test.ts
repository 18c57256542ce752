import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fixedDelays } from '../../src/client/reconnect-policy.js';
import { statefulReconnect } from '../../src/client/stateful-reconnect.js';
import { ConnectionClosedError } from '../../src/errors.js';
import { MessageType } from '../../src/protocol/messages.js';
import { connected, harness } from '../support/connection.js';
import { flush } from '../support/virtual-clock.js';

const tick = (n: number) => ({ type: MessageType.Invocation, target: 'Tick', arguments: [n] }) as const;

function statefulHarness(options: Parameters<typeof harness>[0] = {}, refuse?: () => boolean) {
  return harness(
    { statefulReconnect: statefulReconnect(), reconnect: fixedDelays([0, 1000, 1000, 1000]), ...options },
    { stateful: true, ...(refuse && { refuse }) },
  );
}

describe('HubConnection: stateful reconnect', () => {
  it('asks for it in negotiate and handshakes with version 2', async () => {
    const h = statefulHarness();
    await connected(h);
    expect(h.server.negotiations[0]).toBe(
      'http://hub.test/chat/negotiate?negotiateVersion=1&useStatefulReconnect=true',
    );
    expect(h.server.socket.frames[0]).toBe('{"protocol":"json","version":2}\x1e');
  });

  it('acks received messages once a second', async () => {
    const h = statefulHarness();
    await connected(h);
    h.server.send(tick(1), tick(2), tick(3));
    await h.clock.advance(999);
    expect(h.server.sent(MessageType.Ack)).toEqual([]);
    await h.clock.advance(1);
    expect(h.server.sent(MessageType.Ack)).toEqual([{ type: MessageType.Ack, sequenceId: 3 }]);
  });

  it('reattaches to the same connection, replays what the server did not ack, and drops replayed duplicates', async () => {
    const h = statefulHarness();
    await connected(h);
    const ticks: unknown[] = [];
    h.connection.on('Tick').subscribe(([n]) => ticks.push(n));
    const result = firstValueFrom(h.connection.invoke('Add', 1, 2));
    await flush();
    h.server.send(tick(1), tick(2));
    h.server.socket.drop();
    await flush();
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', connectionId: 'c1' });
    const during = h.connection.send('WhileAway', 'x');
    await h.clock.advance(0);
    expect(h.server.negotiations).toHaveLength(1);
    expect(h.server.allSockets).toHaveLength(2);
    expect(h.server.socket.url).toBe('ws://hub.test/chat?id=t1');
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c1' });
    await during;
    const afterReattach = h.server.messages.slice(
      h.server.messages.findIndex((m) => m.type === MessageType.Sequence),
    );
    expect(afterReattach).toEqual([
      { type: MessageType.Sequence, sequenceId: 1 },
      // What the client had received (the Ack timer could not fire before the drop).
      { type: MessageType.Ack, sequenceId: 2 },
      { type: MessageType.Invocation, invocationId: '0', target: 'Add', arguments: [1, 2] },
      { type: MessageType.Invocation, target: 'WhileAway', arguments: ['x'] },
    ]);
    // The server replays from its first un-acked message: the two ticks again, then new ones.
    h.server.send({ type: MessageType.Sequence, sequenceId: 1 }, tick(1), tick(2), tick(3));
    h.server.send({ type: MessageType.Completion, invocationId: '0', result: 3 });
    expect(await result).toBe(3);
    expect(ticks).toEqual([1, 2, 3]);
  });

  it('measures the reattach window from each loss, not from the first of a run of quick drops', async () => {
    const h = statefulHarness({
      statefulReconnect: statefulReconnect({ reattachWindowMs: 15_000 }),
      reconnect: () => 1000,
    });
    await connected(h);
    for (let drop = 1; drop <= 10; drop++) {
      h.server.socket.drop();
      await flush();
      await h.clock.advance(4000);
      expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c1' });
    }
    expect(h.server.negotiations).toHaveLength(1);
  });

  it('replays only what the server has not acked', async () => {
    const h = statefulHarness();
    await connected(h);
    void h.connection.send('A');
    void h.connection.send('B');
    void h.connection.send('C');
    await flush();
    h.server.send({ type: MessageType.Ack, sequenceId: 2 });
    h.server.socket.drop();
    await h.clock.advance(0);
    const replay = h.server.socket.frames.join('');
    expect(replay).toBe('{"type":9,"sequenceId":3}\x1e{"type":1,"target":"C","arguments":[]}\x1e');
  });

  it('falls back to a new connection when the old one cannot be resumed in time; pending calls then fail', async () => {
    let refusing = false;
    const h = statefulHarness(
      { statefulReconnect: statefulReconnect({ reattachWindowMs: 1500 }) },
      () => refusing,
    );
    await connected(h);
    const pending = h.connection.invoke('Slow').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await flush();
    refusing = true;
    h.server.socket.drop();
    await h.clock.advance(0);
    await h.clock.advance(1000);
    expect(h.server.negotiations).toHaveLength(1);
    expect(h.connection.state.status).toBe('reconnecting');
    refusing = false;
    await h.clock.advance(1000);
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    expect(h.server.negotiations).toHaveLength(2);
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c2' });
  });

  it('applies backpressure: send() waits while the un-acked data is over the buffer size', async () => {
    const h = statefulHarness({ statefulReconnect: statefulReconnect({ bufferSize: 100 }) });
    await connected(h);
    await h.connection.send('Small');
    let done = false;
    const big = h.connection.send('Big', 'x'.repeat(200)).then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    h.server.send({ type: MessageType.Ack, sequenceId: 2 });
    await big;
    expect(done).toBe(true);
  });

  it('reattach attempts follow the reconnect policy and show in state$', async () => {
    const contexts: { attempt: number; elapsedMs: number; reason: string }[] = [];
    let refusing = false;
    const h = statefulHarness(
      {
        reconnect: ({ attempt, elapsedMs, reason }) => {
          contexts.push({ attempt, elapsedMs, reason: reason.name });
          return [0, 500, 1500][attempt - 1] ?? null;
        },
      },
      () => refusing,
    );
    await connected(h);
    refusing = true;
    h.server.socket.drop();
    await flush();
    expect(h.connection.state).toMatchObject({
      status: 'reconnecting',
      connectionId: 'c1',
      attempt: 1,
      nextRetryInMs: 0,
    });
    await h.clock.advance(0);
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 2, nextRetryInMs: 500 });
    const firstFailure = h.connection.state.lastError;
    expect(firstFailure).toBeInstanceOf(Error);
    await h.clock.advance(500);
    expect(h.connection.state).toMatchObject({ status: 'reconnecting', attempt: 3, nextRetryInMs: 1500 });
    refusing = false;
    await h.clock.advance(1500);
    expect(h.connection.state).toMatchObject({ status: 'connected', connectionId: 'c1', attempt: 0 });
    // Resumed, not renegotiated: the same server connection.
    expect(h.server.negotiations).toHaveLength(1);
    expect(contexts).toEqual([
      { attempt: 1, elapsedMs: 0, reason: 'TransportError' },
      { attempt: 2, elapsedMs: 0, reason: firstFailure!.name },
      { attempt: 3, elapsedMs: 500, reason: firstFailure!.name },
    ]);
  });

  it('stop during a reattach fails buffered sends and leaves no timer', async () => {
    const h = statefulHarness({ reconnect: fixedDelays([60_000]) });
    await connected(h);
    h.server.socket.drop();
    await flush();
    const during = h.connection.send('Buffered').catch((e: unknown) => e);
    await h.connection.stop();
    expect(await during).toBeInstanceOf(ConnectionClosedError);
    expect(h.clock.pending).toBe(0);
  });
});
