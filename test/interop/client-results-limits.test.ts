// Where client results meet ASP.NET Core's limits: MaximumParallelInvocationsPerClient, and the lifecycle hooks.
// `/clientresulthub` (one parallel invocation per client, see test/server/README.md) and `/testhub` (two).
//
// What ASP.NET Core 10 does (HubCallerClients, DefaultHubDispatcher, ChannelBasedSemaphore):
// - Inside a hub method, `Clients.Caller.InvokeAsync` / `Clients.Client(id).InvokeAsync` give the invocation's slot
//   back (once, when first called) and then wait: client results work with one parallel invocation, and while one
//   waits, up to N other invocations may run beside it.
// - An invocation that finds no free slot stops the read loop: nothing behind it is read (the client's Completion
//   for a pending client result, or a Close) until a slot frees.
// - Inside OnConnectedAsync they throw InvalidOperationException at once; inside OnDisconnectedAsync they fail with
//   IOException "Connection '<id>' disconnected.".
//
// Raw WebSockets show the order of what the server sends; the official client shows what an app sees. The orders
// asserted are the only ones the rules above allow (no timing bounds): e.g. "the client's answer waits behind a
// blocked invocation" shows as the client result completing only after the invocation holding the slot.

import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { afterEach, describe, expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import {
  completionOf,
  invocationOf,
  jsonRecord,
  ofType,
  RS,
  texts,
  wireSession,
  type WireRecord,
  type WireSocket,
} from '../support/wire.js';

const HUB = '/clientresulthub';
const IN_ON_CONNECTED = 'Client results inside OnConnectedAsync Hub methods are not allowed.';
const CLOSED_IN_ON_CONNECTED = `Connection closed with an error. InvalidOperationException: ${IN_ON_CONNECTED}`;

const unexpected = (method: string, detail: string) =>
  `An unexpected error occurred invoking '${method}' on the server. ${detail}`;

/** Sends an Invocation with an id (no waiting). */
function invoke(socket: WireSocket, id: string, target: string, ...args: unknown[]): Promise<void> {
  return socket.send(jsonRecord({ type: 1, invocationId: id, target, arguments: args }));
}

/** Waits for the server's `ClientResult` Invocation and returns its id (`s<n>`) and prompt. */
async function clientResultAsked(socket: WireSocket): Promise<{ id: string; prompt: unknown }> {
  const record = await socket.waitFor(invocationOf('ClientResult'));
  const message = record.message ?? {};
  expect(message.invocationId).toMatch(/^s\d+$/);
  return { id: message.invocationId as string, prompt: (message.arguments as unknown[])[0] };
}

/** Answers a client result. */
function answer(socket: WireSocket, id: string, result: unknown): Promise<void> {
  return socket.send(jsonRecord({ type: 3, invocationId: id, result }));
}

/** Waits for the Completions of `ids` (in any order); returns the ids of all Completions received, in order. */
async function completionOrder(
  socket: WireSocket,
  ids: readonly string[],
  timeoutMs = 3000,
): Promise<string[]> {
  const missing = new Set(ids);
  while (missing.size > 0) {
    const record = await socket.waitFor(
      (each) => ofType(3)(each) && missing.has(each.message?.invocationId as string),
      timeoutMs,
      `the Completions of ${[...missing].join(', ')}`,
    );
    missing.delete(record.message?.invocationId as string);
  }
  return socket.records.filter(ofType(3)).map((record) => record.message?.invocationId as string);
}

function resultOf(record: WireRecord): unknown {
  return record.message?.result;
}

describe.concurrent('client results and the parallel-invocation limit', () => {
  describeEachTarget('client results and the parallel-invocation limit', (target) => {
    async function connectionId(socket: WireSocket): Promise<string> {
      await invoke(socket, 'id', 'GetCallerConnectionId');
      return resultOf(await socket.waitFor(completionOf('id'))) as string;
    }

    it('N = 1: a client result through Clients.Caller works, and gives its slot back while it waits', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket(HUB);
      await invoke(socket, '1', 'AskCaller', 'question');
      const asked = await clientResultAsked(socket);
      expect(asked.prompt).toBe('question');
      // The slot is free: another invocation runs while AskCaller waits for the client.
      await invoke(socket, '2', 'Echo', 'meanwhile');
      expect(resultOf(await socket.waitFor(completionOf('2')))).toBe('meanwhile');
      expect(socket.records.some(completionOf('1'))).toBe(false);
      await answer(socket, asked.id, 'the answer');
      expect((await socket.waitFor(completionOf('1'))).text).toBe(
        `{"type":3,"invocationId":"1","result":"the answer"}${RS}`,
      );
    });

    it('N = 1: so does one through Clients.Client(own id)', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket(HUB);
      const id = await connectionId(socket);
      await invoke(socket, '1', 'AskClient', id, 'question');
      const asked = await clientResultAsked(socket);
      await invoke(socket, '2', 'Echo', 'meanwhile');
      expect(resultOf(await socket.waitFor(completionOf('2')))).toBe('meanwhile');
      await answer(socket, asked.id, 'the answer');
      expect(resultOf(await socket.waitFor(completionOf('1')))).toBe('the answer');
    });

    it('N = 1: the freed slot goes to the next invocation; later messages, the answer included, wait behind it', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket(HUB);
      await invoke(socket, '1', 'AskCaller', 'question');
      const asked = await clientResultAsked(socket);
      await invoke(socket, '2', 'Delay', 300); // takes the slot AskCaller gave back
      await invoke(socket, '3', 'Echo', 'queued'); // no slot: the read loop stops here
      await answer(socket, asked.id, 'the answer'); // not read until Echo has a slot
      const order = await completionOrder(socket, ['1', '2', '3']);
      // Were the answer read at once, AskCaller would complete long before Delay(300).
      expect(order[0]).toBe('2');
      expect(order.slice(1).sort()).toEqual(['1', '3']);
    });

    it('N = 1: the slot is given back once per invocation, not at each client result', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket(HUB);
      await invoke(socket, '1', 'AskCallerTwice', 'first', 'second');
      const first = await clientResultAsked(socket);
      expect(first.prompt).toBe('first');
      await invoke(socket, '2', 'Delay', 300); // takes the slot
      await answer(socket, first.id, 'a');
      // AskCallerTwice goes on without a slot, and asks again.
      const second = await clientResultAsked(socket);
      expect(second.prompt).toBe('second');
      await invoke(socket, '3', 'Echo', 'queued'); // still no free slot: waits for Delay
      await answer(socket, second.id, 'b');
      const order = await completionOrder(socket, ['1', '2', '3']);
      expect(order[0]).toBe('2');
      expect(order.slice(1).sort()).toEqual(['1', '3']);
      expect(socket.records.filter(completionOf('1')).map(resultOf)).toEqual(['a,b']);
    });

    it('N = 2 (/testhub): a method awaiting a client result holds no slot, so two more run beside it', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket('/testhub');
      await invoke(socket, '1', 'AskClient', 'question');
      const asked = await clientResultAsked(socket);
      await invoke(socket, '2', 'Delay', 1000);
      await invoke(socket, '3', 'Delay', 100); // runs beside Delay(1000): three invocations at once
      await invoke(socket, '4', 'Echo', 'queued'); // both slots taken: the read loop stops here
      await answer(socket, asked.id, 'the answer');
      const order = await completionOrder(socket, ['1', '2', '3', '4']);
      // Had AskClient kept a slot, Delay(100) would have waited for Delay(1000) and completed after it.
      expect(order[0]).toBe('3');
      // Echo takes Delay(100)'s slot, the answer behind it is read, and both complete before Delay(1000).
      expect(order.slice(1, 3).sort()).toEqual(['1', '4']);
      expect(order[3]).toBe('2');
      expect(socket.records.filter(completionOf('1')).map(resultOf)).toEqual(['the answer']);
    });

    it('IOException when the connection does not exist, or leaves before it answers', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket(HUB);
      await invoke(socket, '1', 'AskClient', 'no-such-connection', 'question');
      expect((await socket.waitFor(completionOf('1'))).message?.error).toBe(
        unexpected('AskClient', "IOException: Connection 'no-such-connection' does not exist."),
      );
      const other = await wire.hubSocket(HUB);
      const otherId = await connectionId(other);
      await invoke(socket, '2', 'AskClient', otherId, 'question');
      await clientResultAsked(other);
      other.close(1000);
      expect((await socket.waitFor(completionOf('2'))).message?.error).toBe(
        unexpected('AskClient', `IOException: Connection '${otherId}' disconnected.`),
      );
    });

    // ASP.NET Core reads a Close message in the same loop as invocations, so a Close behind an invocation waiting
    // for a slot is acted on only when the slot frees: the invocations before it run and complete first.
    it('N = 1: a Close behind an invocation waiting for a slot is read only when the slot frees', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket(HUB);
      await invoke(socket, '1', 'Delay', 300);
      await invoke(socket, '2', 'Echo', 'queued');
      await socket.send(jsonRecord({ type: 7 }));
      await socket.waitForClose(3000);
      expect(texts(socket.records.slice(1))).toEqual([
        `{"type":3,"invocationId":"1","result":300}${RS}`,
        `{"type":3,"invocationId":"2","result":"queued"}${RS}`,
        `{"type":7}${RS}`,
      ]);
    });

    for (const how of ['caller', 'client'] as const) {
      it(`OnConnectedAsync: Clients.${how === 'caller' ? 'Caller' : 'Client(own id)'}.InvokeAsync throws InvalidOperationException, closing the connection`, async (ctx) => {
        const socket = await wireSession(target.url, ctx).hubSocket(`${HUB}?onConnected=${how}`);
        const { code } = await socket.waitForClose();
        expect(code).toBe(1000);
        // Refused before anything is sent: no ClientResult invocation, only the Close (no reconnect).
        expect(texts(socket.records.slice(1))).toEqual([
          `{"type":7,"error":${JSON.stringify(CLOSED_IN_ON_CONNECTED)}}${RS}`,
        ]);
      });
    }

    it('OnConnectedAsync: the InvalidOperationException can be caught, and the connection goes on', async (ctx) => {
      const socket = await wireSession(target.url, ctx).hubSocket(`${HUB}?onConnected=caught`);
      expect((await socket.next()).text).toBe(
        `{"type":1,"target":"OnConnectedError","arguments":["InvalidOperationException: ${IN_ON_CONNECTED}"]}${RS}`,
      );
      await invoke(socket, '1', 'Echo', 'still here');
      expect(resultOf(await socket.waitFor(completionOf('1')))).toBe('still here');
    });

    it("OnDisconnectedAsync: a client result fails with IOException: Connection '<id>' disconnected.", async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const leaving = await wire.hubSocket(`${HUB}?onDisconnected=caller`);
      const id = await connectionId(leaving);
      leaving.close(1000);
      await leaving.waitForClose();
      const observer = await wire.hubSocket(HUB);
      let outcome: unknown = null;
      for (let attempt = 0; attempt < 50 && outcome === null; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        await invoke(observer, `${attempt}`, 'DisconnectedOutcome', id);
        outcome = resultOf(await observer.waitFor(completionOf(`${attempt}`)));
      }
      expect(outcome).toBe(`IOException: Connection '${id}' disconnected.`);
      // Nothing reached the leaving client after its close.
      expect(leaving.records.some(invocationOf('ClientResult'))).toBe(false);
    });
  });
});

describeEachTarget('client results and the parallel-invocation limit (official client)', (target) => {
  const connections: HubConnection[] = [];

  afterEach(async () => {
    await Promise.allSettled(connections.splice(0).map((connection) => connection.stop()));
  });

  function connection(path: string): HubConnection {
    const built = new HubConnectionBuilder()
      .withUrl(`${target.url}${path}`, { transport: HttpTransportType.WebSockets })
      .configureLogging(LogLevel.None)
      .build();
    connections.push(built);
    return built;
  }

  it('N = 1: a hub method gets the handler’s answer, and other calls go on while the handler takes its time', async () => {
    const hub = connection(HUB);
    let release!: (answer: string) => void;
    const answered = new Promise<string>((resolve) => (release = resolve));
    const prompts: string[] = [];
    hub.on('ClientResult', (prompt: string) => {
      prompts.push(prompt);
      return answered;
    });
    await hub.start();
    const asking = hub.invoke<string>('AskCaller', 'question');
    // AskCaller waits for the handler; its slot is free, so Echo completes meanwhile.
    expect(await hub.invoke('Echo', 'meanwhile')).toBe('meanwhile');
    expect(prompts).toEqual(['question']);
    release('the answer');
    expect(await asking).toBe('the answer');
  });

  it('OnConnectedAsync: the connection ends with the InvalidOperationException', async () => {
    const hub = connection(`${HUB}?onConnected=caller`);
    const asked: unknown[] = [];
    hub.on('ClientResult', (prompt: unknown) => {
      asked.push(prompt);
      return 'never asked';
    });
    const closed = new Promise<Error | undefined>((resolve) => hub.onclose(resolve));
    // The Close follows the handshake response at once; when both come in one read (ASP.NET Core often batches
    // them into one WebSocket frame), start() itself rejects with it, otherwise onclose gets it.
    const error = await hub.start().then(
      () => closed,
      (failure: unknown) => failure as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe(`Server returned an error on close: ${CLOSED_IN_ON_CONNECTED}`);
    expect(asked).toEqual([]);
  });
});
