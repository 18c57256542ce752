// Hub-layer errors over raw WebSockets, with the exact Completion texts (EnableDetailedErrors = true): unknown
// methods, argument binding, streaming mismatches, duplicate stream ids, messages for unknown streams, cancels,
// non-blocking invocations, and case-insensitive method names.

import { describe, expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import {
  completionOf,
  invocationOf,
  jsonRecord,
  ofType,
  RS,
  texts,
  wireSession,
  type WireSocket,
} from '../support/wire.js';

const BINDING_ERROR =
  'InvalidDataException: Error binding arguments. Make sure that the types of the provided values match the ' +
  'types of the hub method being invoked.';

/** The Completion error of invocation `id` after sending `message`. */
async function errorOf(socket: WireSocket, message: object, id: string): Promise<unknown> {
  await socket.send(jsonRecord(message));
  const completion = await socket.waitFor(completionOf(id));
  expect(Object.keys(completion.message ?? {})).toEqual(['type', 'invocationId', 'error']);
  return completion.message?.error;
}

// Every test has its own connections: run them concurrently (at most 5 at a time) to keep the file short.
describe.concurrent('wire: hub errors', () => {
  describeEachTarget('wire: hub errors', (target) => {
    it('unknown method: "Failed to invoke … HubException: Method does not exist." (client spelling)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 1, invocationId: '1', target: 'NoSuchMethod', arguments: [] }));
      expect((await socket.waitFor(completionOf('1'))).text).toBe(
        `{"type":3,"invocationId":"1","error":"Failed to invoke 'NoSuchMethod' due to an error on the server. ` +
          `HubException: Method does not exist."}${RS}`,
      );
      expect(
        await errorOf(socket, { type: 4, invocationId: '2', target: 'noSuchStream', arguments: [] }, '2'),
      ).toBe(
        "Failed to invoke 'noSuchStream' due to an error on the server. HubException: Method does not exist.",
      );
    });

    it('unknown method over MessagePack', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket('/testhub', 'messagepack');
      await socket.sendMessage({ type: 1, invocationId: '1', target: 'NoSuchMethod', arguments: [] });
      expect((await socket.waitFor(completionOf('1'))).message).toEqual({
        type: 3,
        invocationId: '1',
        error:
          "Failed to invoke 'NoSuchMethod' due to an error on the server. HubException: Method does not exist.",
      });
    });

    it('wrong argument count: "Invocation provides n argument(s) but target expects m."', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      expect(await errorOf(socket, { type: 1, invocationId: '1', target: 'Echo', arguments: [] }, '1')).toBe(
        "Failed to invoke 'Echo' due to an error on the server. InvalidDataException: Invocation provides 0 " +
          'argument(s) but target expects 1.',
      );
      expect(
        await errorOf(socket, { type: 1, invocationId: '2', target: 'Echo', arguments: ['a', 'b'] }, '2'),
      ).toBe(
        "Failed to invoke 'Echo' due to an error on the server. InvalidDataException: Invocation provides 2 " +
          'argument(s) but target expects 1.',
      );
    });

    it('wrong argument types: the binding error (JSON)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      const cases: [string, unknown[]][] = [
        ['Add', ['a', 1]],
        ['Add', [1.5, 2]],
        ['Echo', [5]],
      ];
      for (const [index, [method, args]] of cases.entries()) {
        const id = String(index + 1);
        expect(
          await errorOf(socket, { type: 1, invocationId: id, target: method, arguments: args }, id),
        ).toBe(`Failed to invoke '${method}' due to an error on the server. ${BINDING_ERROR}`);
      }
    });

    it('computes with Int32 like the C# hub', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      expect((await socket.invoke('Add', [2147483647, 1], '1')).text).toBe(
        `{"type":3,"invocationId":"1","result":-2147483648}${RS}`,
      );
    });

    it('accepts null for a string argument', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      expect((await socket.invoke('Echo', [null], '1')).text).toBe(
        `{"type":3,"invocationId":"1","result":null}${RS}`,
      );
    });

    it('streaming vs non-streaming mismatch, both ways (JSON and MessagePack)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      for (const protocol of ['json', 'messagepack'] as const) {
        const socket = await wire.hubSocket('/testhub', protocol);
        await socket.sendMessage({ type: 1, invocationId: '1', target: 'Stream', arguments: [] });
        expect((await socket.waitFor(completionOf('1'))).message, protocol).toEqual({
          type: 3,
          invocationId: '1',
          error:
            "The client attempted to invoke the streaming 'Stream' method with a non-streaming invocation.",
        });
        await socket.sendMessage({ type: 4, invocationId: '2', target: 'Echo', arguments: ['x'] });
        expect((await socket.waitFor(completionOf('2'))).message, protocol).toEqual({
          type: 3,
          invocationId: '2',
          error:
            "The client attempted to invoke the non-streaming 'Echo' method with a streaming invocation.",
        });
      }
    });

    it('a method that throws: detailed error; a streaming method that throws: the same shape', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      expect(
        await errorOf(
          socket,
          { type: 1, invocationId: '1', target: 'ThrowException', arguments: ['boom'] },
          '1',
        ),
      ).toBe(
        "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: boom",
      );
      expect(
        await errorOf(
          socket,
          { type: 4, invocationId: '2', target: 'StreamThrowException', arguments: ['bad'] },
          '2',
        ),
      ).toBe(
        "An unexpected error occurred invoking 'StreamThrowException' on the server. InvalidOperationException: bad",
      );
    });

    it('an upload completed with an error fails the method with HubException: <error>', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(
        jsonRecord({
          type: 1,
          invocationId: '1',
          target: 'StreamingConcat',
          arguments: [],
          streamIds: ['s'],
        }),
      );
      await socket.send(jsonRecord({ type: 2, invocationId: 's', item: 'a' }));
      await socket.send(jsonRecord({ type: 3, invocationId: 's', error: 'E' }));
      expect((await socket.waitFor(completionOf('1'))).message?.error).toBe(
        "An unexpected error occurred invoking 'StreamingConcat' on the server. HubException: E",
      );
    });

    it('stream ids a method does not take: "HubException: Client sent 1 stream(s), Hub method expects 0."', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      expect(
        await errorOf(
          socket,
          { type: 1, invocationId: '1', target: 'Echo', arguments: ['x'], streamIds: ['s'] },
          '1',
        ),
      ).toBe(
        "An unexpected error occurred invoking 'Echo' on the server. HubException: Client sent 1 stream(s), Hub method expects 0.",
      );
    });

    it('a duplicate streaming invocation id: "Invocation ID \'1\' is already in use."', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 4, invocationId: '1', target: 'InfiniteStream', arguments: [] }));
      await socket.send(jsonRecord({ type: 4, invocationId: '1', target: 'InfiniteStream', arguments: [] }));
      expect((await socket.waitFor(completionOf('1'))).text).toBe(
        `{"type":3,"invocationId":"1","error":"Invocation ID '1' is already in use."}${RS}`,
      );
      expect((await socket.invoke('Echo', ['still usable'], '2')).message?.result).toBe('still usable');
    });

    it('after a duplicate stream id, the first stream can no longer be cancelled', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 4, invocationId: '1', target: 'InfiniteStream', arguments: [] }));
      await socket.send(jsonRecord({ type: 4, invocationId: '1', target: 'InfiniteStream', arguments: [] }));
      await socket.waitFor(completionOf('1'));
      await socket.send(jsonRecord({ type: 5, invocationId: '1' }));
      await socket.invoke('Echo', ['after cancel'], '2');
      const later = await socket.drain(300);
      const everything = [...socket.records];
      expect(texts(everything.filter(invocationOf('StreamCanceled')))).toEqual([]);
      expect(everything.filter(completionOf('1'))).toHaveLength(1); // only the duplicate's error
      expect(texts(later)).toEqual([]);
    });

    it('a cancelled stream: StreamCanceled() from the hub and the Completion without result or error', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 4, invocationId: '1', target: 'InfiniteStream', arguments: [] }));
      await socket.invoke('Echo', ['stream started'], '2');
      await socket.send(jsonRecord({ type: 5, invocationId: '1' }));
      const records = [await socket.next(), await socket.next()];
      expect(records.map((record) => record.text).sort()).toEqual([
        `{"type":1,"target":"StreamCanceled","arguments":[]}${RS}`,
        `{"type":3,"invocationId":"1"}${RS}`,
      ]);
    });

    it('ignores StreamItem, Completion and CancelInvocation for unknown ids; the connection stays usable', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 2, invocationId: 'nope', item: 1 }));
      await socket.send(jsonRecord({ type: 3, invocationId: 'nope', result: 1 }));
      await socket.send(jsonRecord({ type: 3, invocationId: 'nope2' }));
      await socket.send(jsonRecord({ type: 5, invocationId: 'nope' }));
      // A cancel for a non-streaming invocation id is ignored too.
      await socket.send(jsonRecord({ type: 1, invocationId: '1', target: 'Delay', arguments: [200] }));
      await socket.send(jsonRecord({ type: 5, invocationId: '1' }));
      expect((await socket.next()).text).toBe(`{"type":3,"invocationId":"1","result":200}${RS}`);
      expect((await socket.invoke('Echo', ['still usable'], '2')).text).toBe(
        `{"type":3,"invocationId":"2","result":"still usable"}${RS}`,
      );
    });

    it('a StreamItem for an unknown id with "item" before "invocationId" closes the connection with an error', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(`{"type":2,"item":1,"invocationId":"nope"}${RS}`);
      expect((await socket.waitFor(ofType(7))).text).toBe(
        '{"type":7,"error":"Connection closed with an error. KeyNotFoundException: No stream with id \'nope\' ' +
          `could be found.","allowReconnect":true}${RS}`,
      );
      expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
    });

    it('sends nothing for non-blocking invocations, even when they fail', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 1, target: 'ThrowException', arguments: ['boom'] }));
      await socket.send(jsonRecord({ type: 1, target: 'NoSuchMethod', arguments: [] }));
      await socket.send(jsonRecord({ type: 1, target: 'Echo', arguments: [] }));
      await socket.send(jsonRecord({ type: 1, target: 'Stream', arguments: [] }));
      await socket.send(jsonRecord({ type: 1, target: 'Echo', arguments: ['fine'] }));
      expect((await socket.invoke('Echo', ['marker'], '1')).text).toBe(
        `{"type":3,"invocationId":"1","result":"marker"}${RS}`,
      );
      expect(socket.records.slice(1).map((record) => record.text)).toEqual([
        `{"type":3,"invocationId":"1","result":"marker"}${RS}`,
      ]);
      expect(texts(await socket.drain(200))).toEqual([]);
    });

    it('treats an empty invocationId as non-blocking', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(jsonRecord({ type: 1, invocationId: '', target: 'Echo', arguments: ['empty id'] }));
      await socket.invoke('Echo', ['marker'], '1');
      expect(socket.records.slice(1).map((record) => record.text)).toEqual([
        `{"type":3,"invocationId":"1","result":"marker"}${RS}`,
      ]);
    });

    it('matches method names case-insensitively', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      expect((await socket.invoke('echo', ['a'], '1')).text).toBe(
        `{"type":3,"invocationId":"1","result":"a"}${RS}`,
      );
      expect((await socket.invoke('ECHO', ['b'], '2')).text).toBe(
        `{"type":3,"invocationId":"2","result":"b"}${RS}`,
      );
      expect((await socket.invoke('add', [1, 2], '3')).text).toBe(
        `{"type":3,"invocationId":"3","result":3}${RS}`,
      );
      await socket.send(jsonRecord({ type: 4, invocationId: '4', target: 'stream', arguments: [] }));
      expect((await socket.waitFor(completionOf('4'))).text).toBe(`{"type":3,"invocationId":"4"}${RS}`);
    });

    it("names a known method as declared in its errors, whatever the client's spelling", async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      const cases: [object, string][] = [
        [
          { type: 1, invocationId: '1', target: 'throwexception', arguments: ['b'] },
          "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: b",
        ],
        [
          { type: 1, invocationId: '2', target: 'STREAM', arguments: [] },
          "The client attempted to invoke the streaming 'Stream' method with a non-streaming invocation.",
        ],
        [
          { type: 1, invocationId: '3', target: 'echo', arguments: [] },
          "Failed to invoke 'Echo' due to an error on the server. InvalidDataException: Invocation provides 0 " +
            'argument(s) but target expects 1.',
        ],
        [
          { type: 4, invocationId: '4', target: 'echo', arguments: ['x'] },
          "The client attempted to invoke the non-streaming 'Echo' method with a streaming invocation.",
        ],
      ];
      for (const [message, error] of cases) {
        const id = String((message as { invocationId: string }).invocationId);
        expect(await errorOf(socket, message, id), id).toBe(error);
      }
    });

    it('reads message properties in any order, skips unknown ones, ignores headers', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const socket = await wire.hubSocket();
      await socket.send(
        `{"arguments":["x"],"extra":{"a":[1,2]},"headers":{"k":"v"},"target":"Echo","invocationId":"1","type":1}${RS}`,
      );
      expect((await socket.waitFor(completionOf('1'))).text).toBe(
        `{"type":3,"invocationId":"1","result":"x"}${RS}`,
      );
    });
  });
});
