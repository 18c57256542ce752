// Withdrawing an invocation, as the server sees it: aborting its signal, its `timeoutMs` expiring or unsubscribing
// before the result each send a CancelInvocation for that invocation's id (the mock server's message log).
//
// Not run against ASP.NET Core: it ignores CancelInvocation for a non-streaming invocation (the method runs on),
// so its test hub shows no effect of one.
import { describe, expect, it } from 'vitest';
import { AbortError, MessageType, TimeoutError, type HubConnection, type TransportName } from '@hubrx/core';
import { testPreset, type MockHubServer } from '@hubrx/mock-server';
import { client, startServer } from './helpers.js';

const transports: TransportName[] = ['webSockets', 'serverSentEvents', 'longPolling'];

async function connected(transport: TransportName): Promise<{ server: MockHubServer; hub: HubConnection }> {
  const server = await startServer(testPreset());
  const hub = client(`${server.url}/testhub`, { transports: [transport] });
  await hub.start();
  return { server, hub };
}

/** The invocation id of the next `Delay` the server receives from the connection. */
async function delayReceived(server: MockHubServer, connectionId: string): Promise<string> {
  const entry = await server.waitForMessage({ direction: 'received', target: 'Delay', connectionId });
  const { invocationId } = entry.message as { invocationId?: string };
  expect(invocationId).toEqual(expect.any(String));
  return invocationId!;
}

/** The CancelInvocation messages the server received from the connection, by invocation id. */
function cancels(server: MockHubServer, connectionId: string): string[] {
  return server.log
    .filter(
      (entry) =>
        entry.connectionId === connectionId &&
        entry.direction === 'received' &&
        entry.message.type === MessageType.CancelInvocation,
    )
    .map((entry) => (entry.message as { invocationId: string }).invocationId);
}

/**
 * The server receives one CancelInvocation for `invocationId`, and only that one, while the connection carries on.
 */
async function expectOneCancel(
  server: MockHubServer,
  hub: HubConnection,
  connectionId: string,
  invocationId: string,
): Promise<void> {
  const cancel = await server.waitForMessage({
    direction: 'received',
    type: MessageType.CancelInvocation,
    connectionId,
  });
  expect(cancel.message).toEqual({ type: MessageType.CancelInvocation, invocationId });
  // A later call's round trip: anything sent before it has reached the server.
  expect(await hub.invoke('Echo', 'still up')).toBe('still up');
  expect(cancels(server, connectionId)).toEqual([invocationId]);
}

describe.each(transports)('CancelInvocation reaches the server (%s)', (transport) => {
  it('when the signal aborts: the call fails with an AbortError', async () => {
    const { server, hub } = await connected(transport);
    const connectionId = hub.state.connectionId!;
    const controller = new AbortController();
    const call = hub
      .invoke('Delay', 10_000)
      .with({ signal: controller.signal })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const invocationId = await delayReceived(server, connectionId);

    controller.abort();
    expect(await call).toBeInstanceOf(AbortError);
    await expectOneCancel(server, hub, connectionId, invocationId);
  });

  it('when timeoutMs expires: the call fails with a TimeoutError', async () => {
    const { server, hub } = await connected(transport);
    const connectionId = hub.state.connectionId!;
    const call = hub
      .invoke('Delay', 10_000)
      .with({ timeoutMs: 50 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const invocationId = await delayReceived(server, connectionId);

    expect(await call).toBeInstanceOf(TimeoutError);
    await expectOneCancel(server, hub, connectionId, invocationId);
  });

  it('when unsubscribed before the result', async () => {
    const { server, hub } = await connected(transport);
    const connectionId = hub.state.connectionId!;
    const subscription = hub.invoke('Delay', 10_000).subscribe();
    const invocationId = await delayReceived(server, connectionId);

    subscription.unsubscribe();
    await expectOneCancel(server, hub, connectionId, invocationId);
  });

  it('not for a call that completed, nor for one aborted after its result', async () => {
    const { server, hub } = await connected(transport);
    const connectionId = hub.state.connectionId!;
    const controller = new AbortController();
    expect(await hub.invoke('Delay', 1).with({ signal: controller.signal, timeoutMs: 60_000 })).toBe(1);
    controller.abort();
    // A later call's round trip: anything sent before it has reached the server.
    expect(await hub.invoke('Echo', 'after')).toBe('after');
    expect(cancels(server, connectionId)).toEqual([]);
  });
});
