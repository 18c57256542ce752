// The hubrx client against every method of the test hub contract (/work/shared/test-hub.md), on every target
// (ASP.NET Core and the mock server), over every transport × protocol pair.

import { HubError } from '@hubrx/core';
import type { HubConnection, HubConnectionOptions } from '@hubrx/core';
import { concat, lastValueFrom, of, range, Subject, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';

import { within } from '../support/functional-helpers.js';
import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  failure,
  next,
  serverError,
  settle,
  trackedConnections,
} from '../support/client-helpers.js';
import { describeEachTarget } from '../support/targets.js';

const MESSAGE = '你好，世界！';
const GUID = '00010203-0405-0607-0706-050403020100';

describeEachTarget('hubrx client: test hub methods', (server) => {
  const create = trackedConnections();

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      const json = each.protocol === 'json';

      async function open(options: Partial<HubConnectionOptions> = {}): Promise<HubConnection> {
        const connection = create(`${server.url}/testhub`, { ...caseOptions(each), ...options });
        await settle(connection.start(), 'start');
        return connection;
      }

      it('Echo returns its argument, non-ASCII and empty strings included', async () => {
        const connection = await open();
        for (const sample of [MESSAGE, '', '😀👍🏽 "quotes" \\ \u001e \u0000nul']) {
          expect(await settle(connection.invoke('Echo', sample), 'Echo')).toBe(sample);
        }
      });

      it('send() resolves once the invocation is handed to the transport', async () => {
        const connection = await open();
        const message = next(connection.on('Message'), 'Message');
        await settle(connection.send('InvokeWithString', 'sent'), 'send');
        expect(await message).toEqual(['sent']);
      });

      it('Add returns the sum (C# int arithmetic)', async () => {
        const connection = await open();
        expect(await settle(connection.invoke('Add', 40, 2), 'Add')).toBe(42);
        expect(await settle(connection.invoke('Add', -5, 3), 'Add')).toBe(-2);
      });

      it('GetCallerConnectionId returns the negotiated connection id', async () => {
        const connection = await open();
        const { connectionId } = connection.state;
        expect(connectionId).toEqual(expect.any(String));
        expect(await settle(connection.invoke('GetCallerConnectionId'), 'GetCallerConnectionId')).toBe(
          connectionId,
        );
      });

      it('ThrowException fails with a HubError carrying the detailed server text', async () => {
        const connection = await open();
        const error = await failure(
          connection.invoke('ThrowException', 'An error occurred.'),
          'ThrowException',
        );
        expect(error).toBeInstanceOf(HubError);
        expect(error.message).toBe(
          serverError('ThrowException', 'InvalidOperationException', 'An error occurred.'),
        );
        expect(error).toMatchObject({ target: 'ThrowException', invocationId: expect.any(String) });
        // The connection is still usable.
        expect(await settle(connection.invoke('Echo', 'after'), 'Echo')).toBe('after');
      });

      it('InvokeWithString calls Message on the caller (on() matches names case-insensitively)', async () => {
        const connection = await open();
        const exact = next(connection.on('Message'), 'Message');
        const otherCase = next(connection.on('mesSAGE'), 'mesSAGE');
        await settle(connection.invoke('InvokeWithString', MESSAGE), 'InvokeWithString');
        expect(await exact).toEqual([MESSAGE]);
        expect(await otherCase).toEqual([MESSAGE]);
      });

      it('SendCustomObject calls CustomObject with the object, property names as declared', async () => {
        const connection = await open();
        const received = next(connection.on('CustomObject'), 'CustomObject');
        await settle(connection.send('SendCustomObject', { Name: 'test', Value: 42 }), 'send');
        expect(await received).toEqual([{ Name: 'test', Value: 42 }]);
      });

      it('Stream emits a, b, c and completes (Observable and for await)', async () => {
        const connection = await open();
        expect(await settle(lastValueFrom(connection.stream('Stream').pipe(toArray())), 'Stream')).toEqual([
          'a',
          'b',
          'c',
        ]);
        const items: unknown[] = [];
        for await (const item of connection.stream('Stream')) items.push(item);
        expect(items).toEqual(['a', 'b', 'c']);
      });

      it('EmptyStream completes without items', async () => {
        const connection = await open();
        expect(
          await settle(lastValueFrom(connection.stream('EmptyStream').pipe(toArray())), 'EmptyStream'),
        ).toEqual([]);
      });

      it('StreamThrowException fails the stream with a HubError carrying the detailed server text', async () => {
        const connection = await open();
        const error = await failure(
          lastValueFrom(connection.stream('StreamThrowException', 'An error occurred.')),
          'StreamThrowException',
        );
        expect(error).toBeInstanceOf(HubError);
        expect(error.message).toBe(
          serverError('StreamThrowException', 'InvalidOperationException', 'An error occurred.'),
        );
      });

      it('invoke() of a streaming method and stream() of a plain method fail with the server texts', async () => {
        const connection = await open();
        const invoked = await failure(connection.invoke('EmptyStream'), 'invoke EmptyStream');
        expect(invoked).toBeInstanceOf(HubError);
        expect(invoked.message).toBe(
          "The client attempted to invoke the streaming 'EmptyStream' method with a non-streaming invocation.",
        );
        const streamed = await failure(lastValueFrom(connection.stream('Echo', 'x')), 'stream Echo');
        expect(streamed).toBeInstanceOf(HubError);
        expect(streamed.message).toBe(
          "The client attempted to invoke the non-streaming 'Echo' method with a streaming invocation.",
        );
      });

      it('InfiniteStream: unsubscribing cancels it on the server (StreamCanceled)', async () => {
        const connection = await open();
        const canceled = next(connection.on('StreamCanceled'), 'StreamCanceled');
        const events: string[] = [];
        const subscription = connection.stream('InfiniteStream').subscribe({
          next: () => events.push('next'),
          error: () => events.push('error'),
          complete: () => events.push('complete'),
        });
        subscription.unsubscribe();
        expect(await canceled).toEqual([]);
        expect(await settle(connection.invoke('Echo', 'after'), 'Echo')).toBe('after');
        expect(events).toEqual([]);
      });

      it('StreamingConcat concatenates an Observable upload', async () => {
        const connection = await open();
        const words = new Subject<string>();
        // The call is cold: subscribe (lastValueFrom) before the hot Subject emits. (`settle` would subscribe one
        // microtask later, through Promise.resolve, after the items were gone.)
        const result = settle(lastValueFrom(connection.invoke('StreamingConcat', words)), 'StreamingConcat');
        words.next('Hello ');
        words.next('world');
        words.next('!');
        words.complete();
        expect(await result).toBe('Hello world!');
      });

      it('StreamingConcat concatenates an AsyncIterable upload', async () => {
        const connection = await open();
        async function* words(): AsyncGenerator<string> {
          for (const word of ['Hello ', MESSAGE, '!']) {
            await Promise.resolve();
            yield word;
          }
        }
        expect(await settle(connection.invoke('StreamingConcat', words()), 'StreamingConcat')).toBe(
          `Hello ${MESSAGE}!`,
        );
      });

      it('StreamingConcat fails with HubException: <error> when the upload ends in an error', async () => {
        const connection = await open();
        const expected = serverError('StreamingConcat', 'HubException', 'Something bad');
        const observable = concat(
          of('Hello ', 'world'),
          throwError(() => new Error('Something bad')),
        );
        const fromObservable = await failure(
          connection.invoke('StreamingConcat', observable),
          'StreamingConcat',
        );
        expect(fromObservable).toBeInstanceOf(HubError);
        expect(fromObservable.message).toBe(expected);

        async function* failing(): AsyncGenerator<string> {
          yield 'Hello ';
          await Promise.resolve();
          throw new Error('Something bad');
        }
        const fromIterable = await failure(
          connection.invoke('StreamingConcat', failing()),
          'StreamingConcat',
        );
        expect(fromIterable).toBeInstanceOf(HubError);
        expect(fromIterable.message).toBe(expected);
      });

      it('Sum adds the items of an upload (empty upload: 0)', async () => {
        const connection = await open();
        expect(await settle(connection.invoke('Sum', range(1, 100)), 'Sum')).toBe(5050);
        expect(await settle(connection.invoke('Sum', of<number>()), 'Sum')).toBe(0);
      });

      it('Counter streams 0 … count-1', async () => {
        const connection = await open();
        expect(
          await settle(lastValueFrom(connection.stream('Counter', 5, 10).pipe(toArray())), 'Counter'),
        ).toEqual([0, 1, 2, 3, 4]);
        expect(
          await settle(lastValueFrom(connection.stream('Counter', 200, 0).pipe(toArray())), 'Counter'),
        ).toEqual(Array.from({ length: 200 }, (_, i) => i));
      });

      it('Delay returns its argument after waiting', async () => {
        const connection = await open();
        const started = Date.now();
        expect(await settle(connection.invoke('Delay', 50), 'Delay')).toBe(50);
        expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      });

      it('Blast delivers every Tick, in order, before the invocation completes', async () => {
        const connection = await open();
        const ticks: unknown[][] = [];
        const subscription = connection.on('Tick').subscribe((args) => ticks.push([...args]));
        await settle(connection.invoke('Blast', 500, 100), 'Blast', 15_000);
        subscription.unsubscribe();
        expect(ticks).toHaveLength(500);
        expect(ticks.map(([index]) => index)).toEqual(Array.from({ length: 500 }, (_, i) => i));
        expect(ticks.every(([, payload]) => payload === 'x'.repeat(100))).toBe(true);
      });

      it('GetActiveTransportName names the transport in use', async () => {
        const connection = await open();
        expect(connection.state.transport).toBe(each.transport);
        expect(await settle(connection.invoke('GetActiveTransportName'), 'GetActiveTransportName')).toBe(
          each.serverName,
        );
      });

      it(`EchoComplexObject round-trips bytes as ${json ? 'base64' : 'Uint8Array'} and dates as ${json ? 'ISO strings' : 'Date'}`, async () => {
        const connection = await open();
        const sent = {
          String: 'Hello, World!',
          IntArray: [1, 2, 3, 255],
          ByteArray: json ? 'aGVsbG8=' : new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f]),
          Guid: GUID,
          DateTime: json ? '2002-04-01T10:20:15Z' : new Date(Date.UTC(2002, 3, 1, 10, 20, 15)),
        };
        const echoed = (await settle(
          connection.invoke('EchoComplexObject', sent),
          'EchoComplexObject',
        )) as Record<string, unknown>;
        expect(echoed).toEqual(sent);
        if (!json) {
          // Plain Uint8Arrays, as over every transport (not Node Buffers, whose slice(), toString() and toJSON() differ).
          expect(Object.getPrototypeOf(echoed.ByteArray)).toBe(Uint8Array.prototype);
          expect(echoed.ByteArray).toBeInstanceOf(Uint8Array);
          expect(echoed.DateTime).toBeInstanceOf(Date);
        }
      });

      it('SendComplexObject returns the sample object', async () => {
        const connection = await open();
        const received = (await settle(
          connection.invoke('SendComplexObject'),
          'SendComplexObject',
        )) as Record<string, unknown>;
        expect(received).toEqual({
          String: 'hello world',
          IntArray: [1, 2, 3],
          ByteArray: json ? 'AQID' : new Uint8Array([1, 2, 3]),
          Guid: GUID,
          DateTime: json ? '2000-01-01T00:00:00Z' : new Date(Date.UTC(2000, 0, 1)),
        });
        if (!json) {
          expect(Object.getPrototypeOf(received.ByteArray)).toBe(Uint8Array.prototype);
          expect(received.ByteArray).toBeInstanceOf(Uint8Array);
          expect(received.DateTime).toBeInstanceOf(Date);
        }
      });

      // The hub sees the transport's request (the WebSocket upgrade, the EventSource GET, the first poll): no body, so
      // no Content-Type.
      it('GetContentTypeHeader: the transport request has no Content-Type', async () => {
        const connection = await open();
        expect(await settle(connection.invoke('GetContentTypeHeader'), 'GetContentTypeHeader')).toBeNull();
      });

      it('GetHeader sees the headers of the `headers` option; absent headers are null', async () => {
        const connection = await open({ headers: { 'X-Hubrx-Test': 'header value' } });
        expect(await settle(connection.invoke('GetHeader', 'X-Hubrx-Test'), 'GetHeader')).toBe(
          'header value',
        );
        expect(await settle(connection.invoke('GetHeader', 'x-hubrx-test'), 'GetHeader')).toBe(
          'header value',
        );
        expect(await settle(connection.invoke('GetHeader', 'X-Not-Sent'), 'GetHeader')).toBeNull();
      });

      // Node's fetch has no cookie jar: the cookies negotiate sets are not sent back, a Cookie header is.
      it('GetCookie sees a Cookie header sent with the `headers` option', async () => {
        const connection = await open({ headers: { Cookie: 'testCookie=fromHeader; other=2' } });
        expect(await settle(connection.invoke('GetCookie', 'testCookie'), 'GetCookie')).toBe('fromHeader');
        expect(await settle(connection.invoke('GetCookie', 'other'), 'GetCookie')).toBe('2');
        expect(await settle(connection.invoke('GetCookie', 'testCookie2'), 'GetCookie')).toBeNull();
      });

      it('GetNumRedirects is 0 without a redirect', async () => {
        const connection = await open();
        expect(await settle(connection.invoke('GetNumRedirects'), 'GetNumRedirects')).toBe(0);
      });

      it('GetUserIdentifier is null without a token', async () => {
        const connection = await open();
        expect(await settle(connection.invoke('GetUserIdentifier'), 'GetUserIdentifier')).toBeNull();
      });

      it('many concurrent invocations all complete with their own results', async () => {
        const connection = await open();
        const results = await within(
          Promise.all(
            Array.from({ length: 100 }, (_, i) =>
              i % 2 === 0
                ? Promise.resolve(connection.invoke('Echo', `message ${i}`))
                : Promise.resolve(connection.invoke('Add', i, 1000)),
            ),
          ),
          'the invocations',
        );
        expect(results).toEqual(
          Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? `message ${i}` : i + 1000)),
        );
      });
    });
  }
});
