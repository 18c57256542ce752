// Known problems of @microsoft/signalr that hubrx must not have (docs/official-client-behaviour.md): the second of
// two adjacent upload streams is skipped; a stream's first items can be lost (it is invoked before anyone
// subscribes); disposing a completed stream still sends CancelInvocation.
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MessageType, type InvocationMessage } from '@hubrx/core';
import { defineHub, testPreset, type MockHubServer } from '@hubrx/mock-server';
import { client, signal, startServer, turn } from './helpers.js';

async function join(values: AsyncIterable<unknown>): Promise<string> {
  let text = '';
  for await (const value of values) text += String(value);
  return text;
}

async function uploadServer(): Promise<MockHubServer> {
  return startServer({
    hubs: {
      '/hub': defineHub({
        methods: {
          Zip: {
            handler: async (_ctx, a: AsyncIterable<string>, b: AsyncIterable<string>) =>
              `${await join(a)}|${await join(b)}`,
            streamParameters: [0, 1],
          },
          Mixed: {
            // (string prefix, stream a, stream b, string suffix), as a C# signature would declare it.
            handler: async (
              _ctx,
              prefix: string,
              a: AsyncIterable<string>,
              b: AsyncIterable<number>,
              suffix: string,
            ) => `${prefix}:${await join(a)}:${await join(b)}:${suffix}`,
            streamParameters: [1, 2],
          },
        },
      }),
    },
  });
}

/** Messages the server received from one connection. */
const fromClient = (server: MockHubServer, connectionId: string) =>
  server.log
    .filter((e) => e.connectionId === connectionId && e.direction === 'received')
    .map((e) => e.message);

describe('two adjacent upload streams', () => {
  it('both arrive (two Observables)', async () => {
    const server = await uploadServer();
    const connection = client(`${server.url}/hub`);
    await connection.start();
    expect(await connection.invoke('Zip', of('a', 'b', 'c'), of('x', 'y'))).toBe('abc|xy');
    const invocation = fromClient(server, connection.state.connectionId!).find(
      (m) => m.type === MessageType.Invocation,
    ) as InvocationMessage;
    expect(invocation.arguments).toEqual([]);
    expect(invocation.streamIds).toHaveLength(2);
  });

  it('both arrive (an AsyncIterable next to an Observable, between plain arguments)', async () => {
    const server = await uploadServer();
    const connection = client(`${server.url}/hub`);
    await connection.start();
    async function* letters() {
      yield 'q';
      await turn();
      yield 'r';
    }
    expect(await connection.invoke('Mixed', 'pre', letters(), from([1, 2, 3]), 'post')).toBe(
      'pre:qr:123:post',
    );
  });
});

describe('streams are cold: no item is lost', () => {
  it('nothing is invoked before subscribing; subscribing later still gets every item from the first', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`);
    await connection.start();
    const id = connection.state.connectionId!;
    const counter = connection.stream('Counter', 20, 0);
    // A round trip after creating the stream: had it been invoked, its messages would be logged before this.
    expect(await connection.invoke('Echo', 'later')).toBe('later');
    expect(fromClient(server, id).some((m) => m.type === MessageType.StreamInvocation)).toBe(false);

    expect(await lastValueFrom(counter.pipe(toArray()))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Each subscription is its own invocation, each complete.
    expect(await lastValueFrom(counter.pipe(toArray()))).toHaveLength(20);
    expect(fromClient(server, id).filter((m) => m.type === MessageType.StreamInvocation)).toHaveLength(2);
  });

  it('a stream that answers at once loses nothing, even with a slow `for await` consumer', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`);
    await connection.start();
    const items: number[] = [];
    for await (const item of connection.stream('Counter', 200, 0)) {
      items.push(item as number);
      if (item === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      else await turn();
    }
    expect(items).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await lastValueFrom(connection.stream('Stream').pipe(toArray()))).toEqual(['a', 'b', 'c']);
  });
});

describe('disposing a finished call sends no CancelInvocation', () => {
  it('unsubscribing after a stream completed, or after an invocation answered', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`);
    await connection.start();
    const id = connection.state.connectionId!;

    const completed = signal();
    const items: unknown[] = [];
    const subscription = connection.stream('Stream').subscribe({
      next: (item) => items.push(item),
      complete: () => completed.resolve(),
    });
    await completed.promise;
    subscription.unsubscribe();
    expect(items).toEqual(['a', 'b', 'c']);

    const answered = signal<unknown>();
    const call = connection.invoke('Echo', 'x').subscribe((value) => answered.resolve(value));
    expect(await answered.promise).toBe('x');
    call.unsubscribe();

    const iterated: unknown[] = [];
    for await (const item of connection.stream('Stream')) iterated.push(item);
    expect(iterated).toEqual(['a', 'b', 'c']);

    // Messages are ordered: a CancelInvocation sent by the unsubscriptions would be logged before this.
    expect(await connection.invoke('Echo', 'marker')).toBe('marker');
    expect(fromClient(server, id).filter((m) => m.type === MessageType.CancelInvocation)).toEqual([]);
  });

  it('unsubscribing an unfinished stream does send CancelInvocation (the check above can fail)', async () => {
    const server = await startServer(testPreset());
    const connection = client(`${server.url}/testhub`);
    await connection.start();
    const id = connection.state.connectionId!;
    const canceled = signal();
    connection.on('StreamCanceled').subscribe(() => canceled.resolve());
    const subscription = connection.stream('InfiniteStream').subscribe({ error: () => undefined });
    await server.waitForMessage({ direction: 'received', target: 'InfiniteStream', connectionId: id });
    subscription.unsubscribe();
    await canceled.promise;
    expect(fromClient(server, id).filter((m) => m.type === MessageType.CancelInvocation)).toHaveLength(1);
  });
});
