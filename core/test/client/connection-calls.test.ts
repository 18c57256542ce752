import { EMPTY, firstValueFrom, Observable, of, Subject, take, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConnectionClosedError,
  HubError,
  ProtocolError,
  TimeoutError,
} from '../../src/errors.js';
import { MessageType } from '../../src/protocol/messages.js';
import { connected, harness } from '../support/connection.js';
import { flush } from '../support/virtual-clock.js';

describe('HubConnection: connecting', () => {
  it('negotiates, opens the WebSocket with the connection token, handshakes (JSON v1) and pings', async () => {
    const h = harness();
    await connected(h);
    expect(h.server.negotiations).toEqual(['http://hub.test/chat/negotiate?negotiateVersion=1']);
    expect(h.server.socket.url).toBe('ws://hub.test/chat?id=t1');
    expect(h.server.socket.frames[0]).toBe('{"protocol":"json","version":1}\x1e');
    expect(h.server.messages).toEqual([{ type: MessageType.Ping }]);
    expect(h.connection.state).toMatchObject({
      status: 'connected',
      connectionId: 'c1',
      transport: 'webSockets',
    });
    expect(h.statuses()).toEqual(['disconnected', 'connecting', 'connected']);
  });

  it('delivers messages that came with the handshake response once connected', async () => {
    const h = harness({}, { autoHandshake: false });
    const seen: string[] = [];
    h.connection.on('Hello').subscribe(([name]) => seen.push(`${String(name)}:${h.connection.state.status}`));
    const started = h.connection.start();
    await flush();
    h.server.socket.deliver('{}\x1e{"type":1,"target":"Hello","arguments":["early"]}\x1e');
    await started;
    expect(seen).toEqual(['early:connected']);
  });

  it('puts a text frame cut in the middle of a record back together', async () => {
    const h = harness();
    await connected(h);
    const seen: unknown[] = [];
    h.connection.on('Chunk').subscribe(([value]) => seen.push(value));
    h.server.socket.deliver('{"type":1,"target":"Chunk","arguments":[1]}\x1e{"type":1,"tar');
    h.server.socket.deliver('get":"Chunk","arguments":[2]}\x1e');
    expect(seen).toEqual([1, 2]);
  });
});

describe('HubConnection: invoke', () => {
  it('is cold, resolves with the Completion result, and can be awaited', async () => {
    const h = harness();
    await connected(h);
    const call = h.connection.invoke('Add', 1, 2);
    await flush();
    expect(h.server.sent(MessageType.Invocation)).toEqual([]);
    const result = call.then((value) => value as number);
    await flush();
    expect(h.server.sent(MessageType.Invocation)).toEqual([
      { type: MessageType.Invocation, invocationId: '0', target: 'Add', arguments: [1, 2] },
    ]);
    h.server.send({ type: MessageType.Completion, invocationId: '0', result: 3 });
    expect(await result).toBe(3);
  });

  it('invokes once per await or then, and calls back as a promise does: after the whole frame was routed', async () => {
    const h = harness();
    await connected(h);
    const idle = h.clock.pending;
    const seen: string[] = [];
    h.connection.on('Tick').subscribe(() => seen.push('tick'));
    const call = h.connection.invoke('Add', 1, 2);
    const first = call.then((value) => seen.push(`first ${String(value)}`));
    const second = call.with({ timeoutMs: 1000 }).then((value) => seen.push(`second ${String(value)}`));
    await flush();
    expect(h.server.sent(MessageType.Invocation)).toEqual([
      { type: MessageType.Invocation, invocationId: '0', target: 'Add', arguments: [1, 2] },
      { type: MessageType.Invocation, invocationId: '1', target: 'Add', arguments: [1, 2] },
    ]);
    h.server.send(
      { type: MessageType.Completion, invocationId: '1', result: 'b' },
      { type: MessageType.Completion, invocationId: '0', result: 'a' },
      { type: MessageType.Invocation, target: 'Tick', arguments: [] },
    );
    expect(seen).toEqual(['tick']);
    await Promise.all([first, second]);
    expect(seen).toEqual(['tick', 'second b', 'first a']);
    expect(h.clock.pending).toBe(idle); // the second call's timeout went with it
  });

  it('catch and finally invoke once each, as then does', async () => {
    const h = harness();
    await connected(h);
    const events: string[] = [];
    const failed = h.connection.invoke('Add', 1, 2).catch((error: unknown) => (error as HubError).message);
    const done = h.connection.invoke('Add', 3, 4).finally(() => events.push('finally'));
    await flush();
    expect(h.server.sent(MessageType.Invocation).map((m) => m.invocationId)).toEqual(['0', '1']);
    h.server.send(
      { type: MessageType.Completion, invocationId: '0', error: 'nope' },
      { type: MessageType.Completion, invocationId: '1', result: 7 },
    );
    expect(await failed).toBe('nope');
    expect(await done).toBe(7);
    expect(events).toEqual(['finally']);
  });

  it("fails with a HubError carrying the server's message", async () => {
    const h = harness();
    await connected(h);
    const result = firstValueFrom(h.connection.invoke('Boom'));
    await flush();
    h.server.send({ type: MessageType.Completion, invocationId: '0', error: 'It broke.' });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({
      name: 'HubError',
      message: 'It broke.',
      target: 'Boom',
      invocationId: '0',
    });
  });

  it('emits undefined for a void method, then completes', async () => {
    const h = harness();
    await connected(h);
    const values = firstValueFrom(h.connection.invoke('Nothing').pipe(toArray()));
    await flush();
    h.server.send({ type: MessageType.Completion, invocationId: '0' });
    expect(await values).toEqual([undefined]);
  });

  it('times out with a TimeoutError and sends CancelInvocation', async () => {
    const h = harness();
    await connected(h);
    const result = h.connection
      .invoke('Slow')
      .with({ timeoutMs: 500 })
      .then(
        () => 'resolved',
        (e: unknown) => e,
      );
    await h.clock.advance(500);
    expect(await result).toBeInstanceOf(TimeoutError);
    expect(h.server.sent(MessageType.CancelInvocation)).toEqual([
      { type: MessageType.CancelInvocation, invocationId: '0' },
    ]);
    h.server.send({ type: MessageType.Completion, invocationId: '0', result: 'late' });
  });

  it('a call leaves no timer or abort listener behind, however it ends', async () => {
    const h = harness();
    await connected(h);
    const idle = h.clock.pending;
    const controller = new AbortController();
    let listeners = 0;
    const { signal } = controller;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<typeof add>) => (listeners++, add(...args));
    signal.removeEventListener = (...args: Parameters<typeof remove>) => (listeners--, remove(...args));
    const options = { timeoutMs: 500, signal };
    const answered = h.connection.invoke('Add').with(options).then(String);
    const failed = h.connection.invoke('Fail').with(options).then(String, String);
    const left = h.connection.stream('Items').with(options).subscribe();
    await flush();
    expect(h.clock.pending).toBe(idle + 3);
    expect(listeners).toBe(3);
    h.server.send({ type: MessageType.Completion, invocationId: '0', result: 3 });
    h.server.send({ type: MessageType.Completion, invocationId: '1', error: 'no' });
    left.unsubscribe();
    expect(await answered).toBe('3');
    expect(await failed).toBe('HubError: no');
    expect(h.clock.pending).toBe(idle);
    expect(listeners).toBe(0);
    expect(h.server.sent(MessageType.CancelInvocation)).toEqual([
      { type: MessageType.CancelInvocation, invocationId: '2' },
    ]);
  });

  it('aborts with an AbortError and sends CancelInvocation; an aborted signal sends nothing', async () => {
    const h = harness();
    await connected(h);
    const controller = new AbortController();
    const result = h.connection
      .invoke('Slow')
      .with({ signal: controller.signal })
      .then(
        () => 'resolved',
        (e: unknown) => e,
      );
    await flush();
    controller.abort();
    expect(await result).toBeInstanceOf(AbortError);
    await flush();
    expect(h.server.sent(MessageType.CancelInvocation)).toHaveLength(1);
    await expect(h.connection.invoke('Slow').with({ signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
    await flush();
    expect(h.server.sent(MessageType.Invocation)).toHaveLength(1);
  });

  it('fails at once with a ConnectionClosedError when not started', async () => {
    const h = harness();
    await expect(h.connection.invoke('Add', 1, 2)).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(h.connection.send('Add', 1, 2)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('fails with a ProtocolError for arguments that cannot be serialized', async () => {
    const h = harness();
    await connected(h);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(h.connection.invoke('Echo', circular)).rejects.toBeInstanceOf(ProtocolError);
    await expect(h.connection.invoke('Echo', 1n)).rejects.toBeInstanceOf(ProtocolError);
  });

  it('writes everything invoked in one tick as one frame', async () => {
    const h = harness();
    await connected(h);
    const before = h.server.socket.frames.length;
    for (let i = 0; i < 100; i++) h.connection.invoke('Add', i, i).subscribe({ error: () => undefined });
    await flush();
    expect(h.server.socket.frames.length - before).toBe(1);
    expect(h.server.sent(MessageType.Invocation)).toHaveLength(100);
  });
});

describe('HubConnection: stream', () => {
  it('sends StreamInvocation on subscribe, delivers every item, and sends no cancel after completion', async () => {
    const h = harness();
    await connected(h);
    const stream = h.connection.stream('Counter', 3);
    await flush();
    expect(h.server.sent(MessageType.StreamInvocation)).toEqual([]);
    const items = firstValueFrom(stream.pipe(toArray()));
    await flush();
    h.server.send(
      { type: MessageType.StreamItem, invocationId: '0', item: 0 },
      { type: MessageType.StreamItem, invocationId: '0', item: 1 },
      { type: MessageType.StreamItem, invocationId: '0', item: 2 },
      { type: MessageType.Completion, invocationId: '0' },
    );
    expect(await items).toEqual([0, 1, 2]);
    await flush();
    expect(h.server.sent(MessageType.CancelInvocation)).toEqual([]);
  });

  it('unsubscribing early sends CancelInvocation', async () => {
    const h = harness();
    await connected(h);
    const first = firstValueFrom(h.connection.stream('Infinite').pipe(take(1)));
    await flush();
    h.server.send({ type: MessageType.StreamItem, invocationId: '0', item: 'x' });
    expect(await first).toBe('x');
    await flush();
    expect(h.server.sent(MessageType.CancelInvocation)).toEqual([
      { type: MessageType.CancelInvocation, invocationId: '0' },
    ]);
  });

  it('can be consumed with for await; break cancels', async () => {
    const h = harness();
    await connected(h);
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const value of h.connection.stream('Counter')) {
        seen.push(value);
        if (seen.length === 2) break;
      }
    })();
    await flush();
    h.server.send(
      { type: MessageType.StreamItem, invocationId: '0', item: 'a' },
      { type: MessageType.StreamItem, invocationId: '0', item: 'b' },
      { type: MessageType.StreamItem, invocationId: '0', item: 'c' },
    );
    await loop;
    await flush();
    expect(seen).toEqual(['a', 'b']);
    expect(h.server.sent(MessageType.CancelInvocation)).toHaveLength(1);
  });

  it('an item for a non-streaming invocation is a ProtocolError', async () => {
    const h = harness();
    await connected(h);
    const result = h.connection.invoke('Add').then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await flush();
    h.server.send({ type: MessageType.StreamItem, invocationId: '0', item: 1 });
    expect(await result).toBeInstanceOf(ProtocolError);
  });
});

describe('HubConnection: uploads', () => {
  it('uploads every stream argument, adjacent ones included, with ids before the invocation id', async () => {
    const h = harness();
    await connected(h);
    async function* letters() {
      yield await Promise.resolve('x');
      yield 'y';
    }
    const result = h.connection.invoke('Upload', 'label', of(1, 2), letters(), 'tail');
    const done = result.then((v) => v);
    await flush();
    await flush();
    expect(h.server.sent(MessageType.Invocation)).toEqual([
      {
        type: MessageType.Invocation,
        invocationId: '2',
        target: 'Upload',
        arguments: ['label', 'tail'],
        streamIds: ['0', '1'],
      },
    ]);
    const items = h.server.sent(MessageType.StreamItem);
    expect(items.filter((m) => m.invocationId === '0').map((m) => m.item)).toEqual([1, 2]);
    expect(items.filter((m) => m.invocationId === '1').map((m) => m.item)).toEqual(['x', 'y']);
    expect(
      h.server
        .sent(MessageType.Completion)
        .map((m) => m.invocationId)
        .sort(),
    ).toEqual(['0', '1']);
    h.server.send({ type: MessageType.Completion, invocationId: '2', result: 'ok' });
    expect(await done).toBe('ok');
  });

  it("an upload's error completes its stream with the error's message", async () => {
    const h = harness();
    await connected(h);
    h.connection
      .invoke(
        'Upload',
        throwError(() => new Error('source failed')),
      )
      .subscribe({ error: () => undefined });
    await flush();
    expect(h.server.sent(MessageType.Completion)).toEqual([
      { type: MessageType.Completion, invocationId: '0', error: 'source failed' },
    ]);
  });

  it('stops the upload when the invocation completes', async () => {
    const h = harness();
    await connected(h);
    const source = new Subject<number>();
    const done = h.connection.invoke('Upload', source).then((v) => v);
    await flush();
    source.next(1);
    expect(source.observed).toBe(true);
    h.server.send({ type: MessageType.Completion, invocationId: '1', result: 'early' });
    expect(await done).toBe('early');
    expect(source.observed).toBe(false);
  });

  it('send() uploads too, and resolves once handed to the transport', async () => {
    const h = harness();
    await connected(h);
    await h.connection.send('Fire', of('a'));
    await flush();
    expect(h.server.sent(MessageType.Invocation)).toEqual([
      { type: MessageType.Invocation, target: 'Fire', arguments: [], streamIds: ['0'] },
    ]);
    expect(h.server.sent(MessageType.StreamItem)).toEqual([
      { type: MessageType.StreamItem, invocationId: '0', item: 'a' },
    ]);
  });
});

describe('HubConnection: server-to-client calls', () => {
  it('on() matches targets case-insensitively and stops on unsubscribe', async () => {
    const h = harness();
    await connected(h);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const subA = h.connection.on('message').subscribe((args) => a.push(args));
    h.connection.on('MESSAGE').subscribe((args) => b.push(args));
    h.server.send({ type: MessageType.Invocation, target: 'Message', arguments: ['hi', 1] });
    subA.unsubscribe();
    h.server.send({ type: MessageType.Invocation, target: 'Message', arguments: ['again'] });
    expect(a).toEqual([['hi', 1]]);
    expect(b).toEqual([['hi', 1], ['again']]);
  });

  it("answers client results with the handler's value, Promise or Observable, and the official texts", async () => {
    const h = harness();
    await connected(h);
    h.connection.handle('Value', () => 42);
    h.connection.handle('Later', (x: number) => Promise.resolve(x * 2));
    h.connection.handle('Stream', () => of('first', 'second'));
    h.connection.handle('Throws', () => {
      throw new Error('boom');
    });
    h.connection.handle('Nothing', () => undefined);
    h.connection.on('Observed').subscribe();
    const ask = (id: string, target: string, ...args: unknown[]) =>
      h.server.send({ type: MessageType.Invocation, invocationId: id, target, arguments: args });
    ask('s1', 'value');
    ask('s2', 'Later', 21);
    ask('s3', 'Stream');
    ask('s4', 'Throws');
    ask('s5', 'Nothing');
    ask('s6', 'Observed');
    ask('s7', 'Missing');
    await flush();
    const completions = Object.fromEntries(
      h.server.sent(MessageType.Completion).map((m) => [m.invocationId, m]),
    );
    expect(completions).toEqual({
      s1: { type: 3, invocationId: 's1', result: 42 },
      s2: { type: 3, invocationId: 's2', result: 42 },
      s3: { type: 3, invocationId: 's3', result: 'first' },
      s4: { type: 3, invocationId: 's4', error: 'Error: boom' },
      s5: { type: 3, invocationId: 's5', error: "Client didn't provide a result." },
      s6: { type: 3, invocationId: 's6', error: "Client didn't provide a result." },
      s7: { type: 3, invocationId: 's7', error: "Client didn't provide a result." },
    });
  });

  it('an Observable result is its first value (unsubscribed then, even when synchronous), or none', async () => {
    const h = harness();
    await connected(h);
    const teardowns: string[] = [];
    h.connection.handle(
      'Sync',
      () =>
        new Observable<number>((subscriber) => {
          subscriber.next(1);
          subscriber.next(2);
          return () => teardowns.push('sync');
        }),
    );
    const later = new Subject<number>();
    h.connection.handle('Later', () => later);
    h.connection.handle('Empty', () => EMPTY);
    h.connection.handle('Fails', () => throwError(() => new Error('nope')));
    const ask = (id: string, target: string) =>
      h.server.send({ type: MessageType.Invocation, invocationId: id, target, arguments: [] });
    ask('s1', 'Sync');
    ask('s2', 'Later');
    ask('s3', 'Empty');
    ask('s4', 'Fails');
    expect(teardowns).toEqual(['sync']);
    expect(later.observed).toBe(true);
    later.next(7);
    expect(later.observed).toBe(false);
    await flush();
    const completions = Object.fromEntries(
      h.server.sent(MessageType.Completion).map((m) => [m.invocationId, m]),
    );
    expect(completions).toEqual({
      s1: { type: 3, invocationId: 's1', result: 1 },
      s2: { type: 3, invocationId: 's2', result: 7 },
      s3: { type: 3, invocationId: 's3', error: "Client didn't provide a result." },
      s4: { type: 3, invocationId: 's4', error: 'Error: nope' },
    });
  });

  it('one result handler per method; unsubscribing frees the name', () => {
    const h = harness();
    const first = h.connection.handle('Ask', () => 1);
    expect(() => h.connection.handle('ask', () => 2)).toThrow(/already registered/);
    first.unsubscribe();
    expect(() => h.connection.handle('ask', () => 2)).not.toThrow();
  });
});
