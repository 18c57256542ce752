import { describe, expect, it } from 'vitest';
import { noReconnect } from '../../src/client/reconnect-policy.js';
import { HubError, NegotiateError } from '../../src/errors.js';
import { MessageType } from '../../src/protocol/messages.js';
import { HubInvokeObserver, type InvokeSnapshot } from '../../src/shared/invoke-observer.js';
import { hubHarness, settle } from './support.js';

describe('HubInvokeObserver', () => {
  it('waits for the connection, invokes, and shows pending then the result', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubInvokeObserver(hub, 'Add');
    const seen: InvokeSnapshot<unknown>[] = [];
    observer.subscribe(() => seen.push(observer.getSnapshot()));
    expect(hub.consumers).toBe(1);
    expect(observer.getSnapshot()).toEqual({ data: undefined, error: null, pending: false, status: 'idle' });
    const result = observer.invoke(1, 2);
    expect(observer.getSnapshot()).toMatchObject({ pending: true, status: 'pending' });
    await settle();
    const [call] = server.sent(MessageType.Invocation);
    expect(call).toMatchObject({ target: 'Add', arguments: [1, 2] });
    server.send({ type: MessageType.Completion, invocationId: call!.invocationId!, result: 3 });
    await expect(result).resolves.toBe(3);
    expect(observer.getSnapshot()).toEqual({ data: 3, error: null, pending: false, status: 'success' });
    expect(seen.map((s) => s.status)).toEqual(['pending', 'success']);
  });

  it("shows the server's error (the Promise rejects; not awaiting it is no unhandled rejection)", async () => {
    const { hub, server } = hubHarness();
    const observer = new HubInvokeObserver(hub, 'Fail');
    observer.subscribe(() => {});
    await settle();
    const failing = observer.invoke();
    await settle();
    const [call] = server.sent(MessageType.Invocation);
    server.send({ type: MessageType.Completion, invocationId: call!.invocationId!, error: 'nope' });
    await expect(failing).rejects.toBeInstanceOf(HubError);
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', pending: false });
    expect(observer.getSnapshot().error).toBeInstanceOf(HubError);
    // Not awaited at all: the failure only shows in the snapshot.
    void observer.invoke();
    await settle();
    const [, second] = server.sent(MessageType.Invocation);
    server.send({ type: MessageType.Completion, invocationId: second!.invocationId!, error: 'again' });
    await settle();
    expect(observer.getSnapshot().error?.message).toContain('again');
  });

  it('only the latest call shows; reset() goes back to idle and ignores calls under way', async () => {
    const { hub, server } = hubHarness();
    const observer = new HubInvokeObserver(hub, 'Echo');
    observer.subscribe(() => {});
    await settle();
    const first = observer.invoke('a');
    const second = observer.invoke('b');
    await settle();
    const [a, b] = server.sent(MessageType.Invocation);
    server.send({ type: MessageType.Completion, invocationId: b!.invocationId!, result: 'b' });
    server.send({ type: MessageType.Completion, invocationId: a!.invocationId!, result: 'a' });
    await expect(first).resolves.toBe('a');
    await expect(second).resolves.toBe('b');
    expect(observer.getSnapshot().data).toBe('b');
    const third = observer.invoke('c');
    observer.reset();
    await settle();
    const [, , c] = server.sent(MessageType.Invocation);
    server.send({ type: MessageType.Completion, invocationId: c!.invocationId!, result: 'c' });
    await expect(third).resolves.toBe('c');
    expect(observer.getSnapshot()).toEqual({ data: undefined, error: null, pending: false, status: 'idle' });
  });

  it('rejects with why the connection could not be made', async () => {
    const { hub, server } = hubHarness({ reconnect: noReconnect() });
    server.negotiateStatus = 500;
    const observer = new HubInvokeObserver(hub, 'Add');
    observer.subscribe(() => {});
    await expect(observer.invoke(1, 2)).rejects.toBeInstanceOf(NegotiateError);
    expect(observer.getSnapshot().error).toBeInstanceOf(NegotiateError);
  });

  it('releases the hub when the last listener leaves (after StrictMode-style leave-and-return)', async () => {
    const { hub, clock } = hubHarness();
    const observer = new HubInvokeObserver(hub, 'Add');
    observer.subscribe(() => {})();
    const stop = observer.subscribe(() => {});
    await settle();
    expect(hub.consumers).toBe(1);
    stop();
    await settle();
    expect(hub.consumers).toBe(0);
    await clock.advance(2000);
    expect(hub.connection.state.status).toBe('disconnected');
  });
});
