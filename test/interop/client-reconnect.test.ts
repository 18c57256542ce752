// The hubrx client losing its connection, on every target, over every transport × protocol pair: the server ending it
// (Abort: for good; a Close with an error and allowReconnect: reconnect), the client's server timeout, and drops.
//
// Abort() is a close *without* reconnect: ASP.NET Core answers Context.Abort() with a Close message that has neither
// an error nor allowReconnect (HubConnectionContext.Abort sets _allowReconnect = false), which the official client
// and hubrx both take as "do not come back". Reconnects are exercised with the server closes that do allow them: an
// oversized message (Close with an error and allowReconnect: true), the client's own server timeout, and a WebSocket
// dropped without a close frame (with stateful reconnect: resumed on the same connection).

import {
  ConnectionClosedError,
  fixedDelays,
  HubError,
  statefulReconnect,
  TimeoutError,
  TransportError,
} from '@hubrx/core';
import type { HubConnection, HubConnectionOptions } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  clientProtocol,
  failure,
  next,
  recordStates,
  settle,
  stateWhere,
  TOO_BIG_PAYLOAD,
  trackedConnections,
} from '../support/client-helpers.js';
import { uniqueName } from '../support/functional-helpers.js';
import { describeEachTarget } from '../support/targets.js';

const TOO_BIG_CLOSE_ERROR =
  'Connection closed with an error. InvalidDataException: The maximum message size of 32768B was exceeded. The ' +
  'message size can be configured in AddHubOptions.';

/** Collapses repeated statuses (a reconnect goes through several `reconnecting` states: attempt, delay...). */
function distinct<T>(values: readonly T[]): T[] {
  return values.filter((value, index) => index === 0 || values[index - 1] !== value);
}

describeEachTarget('hubrx client: connection loss and reconnect', (server) => {
  const create = trackedConnections();

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      function connection(options: Partial<HubConnectionOptions> = {}): HubConnection {
        return create(`${server.url}/testhub`, {
          ...caseOptions(each),
          reconnect: fixedDelays([0, 50, 100, 200, 500]),
          ...options,
        });
      }

      it('Abort(): the server ends the connection for good; pending invocations fail with ConnectionClosedError', async () => {
        const hub = connection();
        await settle(hub.start(), 'start');
        const states = recordStates(hub);
        const pending = failure(lastValueFrom(hub.invoke('Delay', 10_000)), 'the pending Delay');
        // Not awaited: over the HTTP transports the Close may overtake the answer to the send's POST, and then
        // send() rejects with a ConnectionClosedError although the server got the message. ASP.NET Core answers the
        // POST before the hub runs the method; the mock server runs it first (mock-server/src/transport/
        // http-dispatcher.ts, send()), so over Server-Sent Events `await send('Abort')` rejects there every time.
        hub.send('Abort').catch(() => undefined);

        const closed = await stateWhere(hub, 'disconnected');
        const error = await pending;
        expect(error).toBeInstanceOf(ConnectionClosedError);
        expect(error.message).toBe("The connection closed before 'Delay' completed.");
        // A Close without error and without allowReconnect: no reconnect, no error.
        expect(distinct(states.statuses())).toEqual(['connected', 'disconnected']);
        expect(closed).toMatchObject({ connectionId: null, transport: null, lastError: null });

        // It can be started again.
        await settle(hub.start(), 'restart');
        expect(await settle(hub.invoke('Echo', 'again'), 'Echo')).toBe('again');
      });

      it('reconnects after a server Close with an error and allowReconnect: new connection id, on() kept, pending calls failed', async () => {
        const hub = connection();
        const messages: unknown[] = [];
        hub.on('Message').subscribe(([message]) => messages.push(message));
        await settle(hub.start(), 'start');
        const first = hub.state.connectionId;
        await settle(hub.invoke('InvokeWithString', 'before'), 'InvokeWithString');
        const states = recordStates(hub);

        const pending = failure(lastValueFrom(hub.invoke('Delay', 10_000)), 'the pending Delay');
        const tooBig = failure(lastValueFrom(hub.invoke('Echo', TOO_BIG_PAYLOAD)), 'the oversized Echo');

        const reconnecting = await stateWhere(hub, 'reconnecting');
        expect(reconnecting.lastError).toBeInstanceOf(ConnectionClosedError);
        expect(reconnecting.lastError?.message).toBe(
          `The server closed the connection: ${TOO_BIG_CLOSE_ERROR}`,
        );
        for (const error of [await pending, await tooBig]) {
          expect(error).toBeInstanceOf(ConnectionClosedError);
          expect(error.cause).toBe(reconnecting.lastError);
        }

        const reconnected = await stateWhere(hub, 'connected');
        expect(reconnected.connectionId).toEqual(expect.any(String));
        expect(reconnected.connectionId).not.toBe(first);
        expect(reconnected.transport).toBe(each.transport);
        expect(distinct(states.statuses())).toEqual(['connected', 'reconnecting', 'connected']);
        expect(await settle(hub.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toBe(
          reconnected.connectionId,
        );
        await settle(hub.invoke('InvokeWithString', 'after'), 'InvokeWithString');
        expect(messages).toEqual(['before', 'after']);
      });

      it('gives up when the reconnect policy says so: disconnected with the last error', async () => {
        const hub = connection({ reconnect: () => null });
        await settle(hub.start(), 'start');
        const states = recordStates(hub);
        const tooBig = failure(lastValueFrom(hub.invoke('Echo', TOO_BIG_PAYLOAD)), 'the oversized Echo');
        const closed = await stateWhere(hub, 'disconnected');
        expect(closed.lastError).toBeInstanceOf(ConnectionClosedError);
        expect(closed.lastError?.message).toBe(`The server closed the connection: ${TOO_BIG_CLOSE_ERROR}`);
        expect(await tooBig).toBeInstanceOf(ConnectionClosedError);
        expect(distinct(states.statuses())).toEqual(['connected', 'reconnecting', 'disconnected']);
      });

      // Long Polling has an inherent keep-alive (each poll is a sign of life; the server sends no pings on it), so
      // neither the server nor the client runs a timeout on it.
      if (each.transport !== 'longPolling') {
        it('server timeout: a silent server (pings every 15 s) is lost with a TimeoutError, then reconnected', async () => {
          // Long enough for a handshake on a busy machine (it is timed with serverTimeoutMs too), far below 15 s.
          const serverTimeoutMs = 1_000;
          const hub = connection({ serverTimeoutMs, keepAliveIntervalMs: 250, reconnect: () => 0 });
          const messages: unknown[] = [];
          hub.on('Message').subscribe(([message]) => messages.push(message));
          await settle(hub.start(), 'start');
          const first = hub.state.connectionId;

          const reconnecting = await stateWhere(hub, 'reconnecting');
          expect(reconnecting.lastError).toBeInstanceOf(TimeoutError);
          expect(reconnecting.lastError).toMatchObject({ timeoutMs: serverTimeoutMs });

          const reconnected = await stateWhere(hub, 'connected');
          expect(reconnected.connectionId).toEqual(expect.any(String));
          expect(reconnected.connectionId).not.toBe(first);
          // Usable until the next timeout; on() subscriptions carried over.
          const echoed = next(hub.on('Message'), 'Message');
          await settle(hub.invoke('InvokeWithString', 'after the timeout'), 'InvokeWithString');
          expect(await echoed).toEqual(['after the timeout']);
          expect(messages).toEqual(['after the timeout']);
        });
      }
    });
  }

  for (const protocol of ['json', 'messagepack'] as const) {
    describe(`a dropped WebSocket (${protocol})`, () => {
      /** A connection over WebSockets whose sockets the test can reach (and terminate: no close frame). */
      function droppable(options: Partial<HubConnectionOptions> = {}): {
        hub: HubConnection;
        sockets: WebSocket[];
      } {
        const sockets: WebSocket[] = [];
        class TrackedWebSocket extends WebSocket {
          constructor(...args: ConstructorParameters<typeof WebSocket>) {
            super(...args);
            sockets.push(this);
          }
        }
        const hub = create(`${server.url}/testhub`, {
          transports: ['webSockets'],
          protocol: clientProtocol(protocol),
          WebSocket: nodeWebSocket(TrackedWebSocket),
          reconnect: fixedDelays([0, 50, 100, 200, 500]),
          ...options,
        });
        return { hub, sockets };
      }

      it('without stateful reconnect: reconnects on a new connection', async () => {
        const { hub, sockets } = droppable();
        await settle(hub.start(), 'start');
        const first = hub.state.connectionId;
        const pending = failure(lastValueFrom(hub.invoke('Delay', 10_000)), 'the pending Delay');
        sockets.at(-1)?.terminate();
        const reconnecting = await stateWhere(hub, 'reconnecting');
        expect(reconnecting.lastError).toBeInstanceOf(TransportError);
        expect(await pending).toBeInstanceOf(ConnectionClosedError);
        const reconnected = await stateWhere(hub, 'connected');
        expect(reconnected.connectionId).not.toBe(first);
        expect(await settle(hub.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toBe(
          reconnected.connectionId,
        );
      });

      it('with stateful reconnect: resumes the same connection; calls in flight and server messages are not lost', async () => {
        const { hub, sockets } = droppable({ statefulReconnect: statefulReconnect() });
        const sender = create(`${server.url}/testhub`, {
          transports: ['webSockets'],
          protocol: clientProtocol(protocol),
        });
        const group = uniqueName('stateful');
        const received: unknown[] = [];
        hub.on('GroupMessage').subscribe(([, message]) => received.push(message));
        await settle(Promise.all([hub.start(), sender.start()]), 'start');
        await settle(hub.invoke('JoinGroup', group), 'JoinGroup');
        const connectionId = hub.state.connectionId;
        const states = recordStates(hub);

        // In flight across the drop: the server completes it on the resumed connection.
        const delayed = settle(lastValueFrom(hub.invoke('Delay', 200)), 'Delay across the drop');
        sockets.at(-1)?.terminate();
        await stateWhere(hub, 'reconnecting');
        // Sent while the client is reconnecting: buffered by the client, replayed on the new socket.
        const echoed = settle(lastValueFrom(hub.invoke('Echo', 'during the drop')), 'Echo during the drop');
        // Sent to the client while it is away: buffered by the server, replayed on the new socket.
        for (const message of ['one', 'two', 'three']) {
          await settle(sender.invoke('SendToGroup', group, message), 'SendToGroup');
        }
        expect(await delayed).toBe(200);
        expect(await echoed).toBe('during the drop');
        const resumed = await stateWhere(hub, 'connected');
        expect(resumed.connectionId).toBe(connectionId);
        expect(await settle(hub.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toBe(connectionId);
        expect(received).toEqual(['one', 'two', 'three']);
        expect(sockets.length).toBe(2);
        expect(distinct(states.statuses())).toEqual(['connected', 'reconnecting', 'connected']);
      });
    });
  }

  it('a HubError is not a connection loss: the connection stays connected', async () => {
    const hub = create(`${server.url}/testhub`, { reconnect: fixedDelays([0]) });
    await settle(hub.start(), 'start');
    const states = recordStates(hub);
    expect(await failure(hub.invoke('ThrowException', 'boom'), 'ThrowException')).toBeInstanceOf(HubError);
    expect(distinct(states.statuses())).toEqual(['connected']);
  });
});
