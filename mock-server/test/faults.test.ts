// Fault injection: what each control does to a real client (the official one), per transport where it matters.
import { HttpTransportType } from '@microsoft/signalr';
import { describe, expect, it } from 'vitest';
import { testPreset } from '@hubrx/mock-server';
import { connection, rawClient, server, sleep, transports } from './helpers.js';

describe('connection faults', () => {
  it.each(transports)(
    'drop: the client sees the connection lost and reconnects ($name)',
    async ({ type }) => {
      const mock = await server(testPreset());
      const client = connection(`${mock.url}/testhub`, { transport: type, reconnect: [0, 10, 10] });
      const reconnecting = new Promise<Error | undefined>((resolve) => client.onreconnecting(resolve));
      const reconnected = new Promise<string | undefined>((resolve) => client.onreconnected(resolve));
      await client.start();
      const first = await client.invoke<string>('GetCallerConnectionId');
      mock.connection(first)!.drop();
      // The official SSE transport cannot tell a drop from a close (EventSource gives no reason): no error there.
      if (type === HttpTransportType.ServerSentEvents) await reconnecting;
      else expect(await reconnecting).toBeInstanceOf(Error);
      const second = await reconnected;
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect(await client.invoke('Echo', 'after')).toBe('after');
    },
  );

  it('close with an error and allowReconnect: the client reconnects; without it, it stops', async () => {
    const mock = await server(testPreset());
    const client = connection(`${mock.url}/testhub`, { reconnect: [0] });
    await client.start();
    const reconnecting = new Promise<Error | undefined>((resolve) => client.onreconnecting(resolve));
    mock
      .connection(await client.invoke<string>('GetCallerConnectionId'))!
      .close({ error: 'Server is restarting.', allowReconnect: true });
    expect((await reconnecting)?.message).toBe('Server returned an error on close: Server is restarting.');
    await new Promise<void>((resolve) => client.onreconnected(() => resolve()));

    const closed = new Promise<Error | undefined>((resolve) => client.onclose(resolve));
    mock.connection(await client.invoke<string>('GetCallerConnectionId'))!.close({ error: 'Go away.' });
    expect((await closed)?.message).toBe('Server returned an error on close: Go away.');
  });

  it('half-open: no pings and no answers, so the client times out', async () => {
    const mock = await server(testPreset());
    const client = connection(`${mock.url}/testhub`, { serverTimeoutMs: 300 });
    client.keepAliveIntervalInMilliseconds = 100;
    await client.start();
    const closed = new Promise<Error | undefined>((resolve) => client.onclose(resolve));
    mock.connection(await client.invoke<string>('GetCallerConnectionId'))!.halfOpen();
    void client.invoke('Echo', 'lost').catch(() => undefined);
    expect((await closed)?.message).toMatch(
      /Server timeout elapsed without receiving a message from the server/,
    );
  });

  it('latency delays every frame, in order', async () => {
    const mock = await server(testPreset());
    const client = connection(`${mock.url}/testhub`);
    await client.start();
    const handle = mock.connection(await client.invoke<string>('GetCallerConnectionId'))!;
    handle.latency(150);
    const started = Date.now();
    const results = await Promise.all([client.invoke('Echo', 'a'), client.invoke('Echo', 'b')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(results).toEqual(['a', 'b']);
    handle.latency(0);
  });
});

describe('server faults', () => {
  it('failNegotiate: the next negotiates fail with the status, then it works', async () => {
    const mock = await server(testPreset());
    mock.faults.failNegotiate(2, { status: 503, body: 'busy' });
    for (let i = 0; i < 2; i++) {
      await expect(connection(`${mock.url}/testhub`).start()).rejects.toThrow(/503/);
    }
    await connection(`${mock.url}/testhub`).start();
  });

  it('rejectHandshake: the client gets the handshake error', async () => {
    const mock = await server(testPreset());
    mock.faults.rejectHandshake(1, 'No hubs for you.');
    await expect(connection(`${mock.url}/testhub`).start()).rejects.toThrow(
      'Server returned handshake error: No hubs for you.',
    );
    await connection(`${mock.url}/testhub`).start();
  });

  it('unauthorized: 401 as for an expired token, on negotiate and on a WebSocket upgrade', async () => {
    const mock = await server(testPreset());
    mock.faults.unauthorized(1);
    await expect(connection(`${mock.url}/testhub`).start()).rejects.toThrow(/401/);
    mock.faults.unauthorized(1);
    await expect(
      connection(`${mock.url}/testhub`, {
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
      }).start(),
    ).rejects.toThrow();
    await connection(`${mock.url}/testhub`).start();
  });

  it('server-wide latency applies to every connection until reset', async () => {
    const mock = await server(testPreset());
    const client = connection(`${mock.url}/testhub`);
    await client.start();
    mock.faults.latency(120);
    const started = Date.now();
    await client.invoke('Echo', 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    mock.faults.reset();
    const again = Date.now();
    await client.invoke('Echo', 'fast');
    expect(Date.now() - again).toBeLessThan(100);
  });

  it('restart on the same port: connections are lost, clients reconnect to the new server', async () => {
    const mock = await server(testPreset());
    const client = connection(`${mock.url}/testhub`, { reconnect: [50, 100, 200, 400] });
    await client.start();
    const before = await client.invoke<string>('GetCallerConnectionId');
    const port = mock.port;
    const reconnected = new Promise<void>((resolve) => client.onreconnected(() => resolve()));
    await mock.restart({ downtimeMs: 100 });
    expect(mock.port).toBe(port);
    await reconnected;
    const after = await client.invoke<string>('GetCallerConnectionId');
    expect(after).not.toBe(before);
  });

  it('dropAll and closeAll reach every connection', async () => {
    const mock = await server(testPreset());
    const a = await rawClient(`${mock.url}/testhub`);
    const b = await rawClient(`${mock.url}/testhub`);
    await mock.waitFor(
      (event) => (event.kind === 'connected' && mock.connections.length === 2) || undefined,
      { timeoutMs: 2000 },
    );
    mock.closeAll({ error: 'Maintenance', allowReconnect: true });
    for (const client of [a, b]) {
      expect(await client.next((m) => m.type === 7)).toEqual({
        type: 7,
        error: 'Maintenance',
        allowReconnect: true,
      });
      expect((await client.closed).code).toBe(1000);
    }
    const c = await rawClient(`${mock.url}/testhub`);
    await mock.waitForConnection();
    mock.dropAll();
    expect((await c.closed).code).toBe(1006);
    await sleep(10);
    expect(mock.connections).toHaveLength(0);
  });
});
