// The WebSockets transport with a raw `ws` client: connecting with and without negotiate, text and binary frames
// per protocol, the exact bytes of what the server writes (JSON and MessagePack), and close frames.
//
// Servers may put several hub messages in one WebSocket frame (ASP.NET Core sends whatever is in its pipe), so the
// byte checks are made per record (one message, separator or length prefix included), not per frame.

import { expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import {
  completionOf,
  hex,
  hexBytes,
  invocationOf,
  lengthPrefixed,
  ofType,
  RS,
  wireSession,
} from '../support/wire.js';

describeEachTarget('wire: WebSockets', (target) => {
  it('connects without negotiate, answers the JSON handshake with {}\\x1e in a text frame', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.socket('/testhub');
    const response = await socket.handshake('json', 1);
    expect(response.text).toBe(`{}${RS}`);
    expect(socket.frames[0]?.binary).toBe(false);
    expect(socket.frames[0]?.data.subarray(0, 3).toString('utf8')).toBe(`{}${RS}`);
  });

  it('connects with a negotiated v1 token and a v0 connectionId', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    for (const query of ['negotiateVersion=1', '']) {
      const { id } = await wire.negotiate('/testhub', query);
      const socket = await wire.socket(wire.connectionUrl('/testhub', id));
      expect((await socket.handshake('json', 1)).text, query).toBe(`{}${RS}`);
      expect((await socket.invoke('GetActiveTransportName', [], '1')).text).toBe(
        `{"type":3,"invocationId":"1","result":"WebSockets"}${RS}`,
      );
    }
  });

  it('writes JSON in text frames: Completion, void Completion, server Invocation (exact bytes)', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'json');
    expect((await socket.invoke('Echo', ['x'], '1')).text).toBe(
      `{"type":3,"invocationId":"1","result":"x"}${RS}`,
    );

    await socket.send(`{"type":1,"invocationId":"2","target":"InvokeWithString","arguments":["hi"]}${RS}`);
    expect((await socket.waitFor(invocationOf('Message'))).text).toBe(
      `{"type":1,"target":"Message","arguments":["hi"]}${RS}`,
    );
    expect((await socket.waitFor(completionOf('2'))).text).toBe(
      `{"type":3,"invocationId":"2","result":null}${RS}`,
    );

    // Property names as declared (PropertyNamingPolicy = null), bound case-insensitively.
    await socket.send(
      `{"type":1,"invocationId":"3","target":"SendCustomObject","arguments":[{"name":"n","VALUE":1}]}${RS}`,
    );
    expect((await socket.waitFor(invocationOf('CustomObject'))).text).toBe(
      `{"type":1,"target":"CustomObject","arguments":[{"Name":"n","Value":1}]}${RS}`,
    );
    await socket.waitFor(completionOf('3'));

    expect((await socket.invoke('SendComplexObject', [], '4')).text).toBe(
      '{"type":3,"invocationId":"4","result":{"String":"hello world","IntArray":[1,2,3],"ByteArray":"AQID",' +
        `"Guid":"00010203-0405-0607-0706-050403020100","DateTime":"2000-01-01T00:00:00Z"}}${RS}`,
    );
    expect(socket.frames.every((frame) => !frame.binary)).toBe(true);
  });

  it('writes stream items and the stream end (JSON)', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'json');
    await socket.send(`{"type":4,"invocationId":"1","target":"Stream","arguments":[]}${RS}`);
    const records = [await socket.next(), await socket.next(), await socket.next(), await socket.next()];
    expect(records.map((record) => record.text)).toEqual([
      `{"type":2,"invocationId":"1","item":"a"}${RS}`,
      `{"type":2,"invocationId":"1","item":"b"}${RS}`,
      `{"type":2,"invocationId":"1","item":"c"}${RS}`,
      `{"type":3,"invocationId":"1"}${RS}`,
    ]);
  });

  it('escapes JSON strings like System.Text.Json (relaxed)', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'json');
    const completion = await socket.invoke('Echo', ['<\'&>é😀\u0001"\\/\u007f\u2028 \t'], '1');
    expect(completion.text).toBe(
      `{"type":3,"invocationId":"1","result":"<'&>é\\uD83D\\uDE00\\u0001\\"\\\\/\\u007F\\u2028 \\t"}${RS}`,
    );
  });

  it('answers the MessagePack handshake with {}\\x1e in a binary frame, then binary frames only', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.socket('/testhub', { protocol: 'messagepack' });
    const response = await socket.handshake('messagepack', 1);
    expect(response.hex).toBe('7b7d1e');
    expect(socket.frames[0]?.binary).toBe(true);

    // Completion with a result: [3, {}, "1", 3, "x"]
    expect((await socket.invoke('Echo', ['x'], '1')).hex).toBe(hex('08 95 03 80 a1 31 03 a1 78'));
    // Server Invocation: always 6 elements, nil invocation id, empty streamIds array.
    await socket.sendMessage({ type: 1, invocationId: '2', target: 'InvokeWithString', arguments: ['hi'] });
    expect((await socket.waitFor(invocationOf('Message'))).hex).toBe(
      hex('11 96 01 80 c0 a7 4d657373616765 91 a2 6869 90'),
    );
    // Void method: kind 3 (result) with nil, not kind 2.
    expect((await socket.waitFor(completionOf('2'))).hex).toBe(hex('07 95 03 80 a1 32 03 c0'));
    expect(socket.frames.every((frame) => frame.binary)).toBe(true);
  });

  it('writes MessagePack stream items, the stream end and errors', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'messagepack');
    await socket.sendMessage({ type: 4, invocationId: '1', target: 'Stream', arguments: [] });
    const records = [await socket.next(), await socket.next(), await socket.next(), await socket.next()];
    expect(records.map((record) => record.hex)).toEqual([
      hex('07 94 02 80 a1 31 a1 61'), // [2, {}, "1", "a"]
      hex('07 94 02 80 a1 31 a1 62'),
      hex('07 94 02 80 a1 31 a1 63'),
      hex('06 94 03 80 a1 31 02'), // [3, {}, "1", 2]: no result
    ]);
    const error = await socket.invoke('ThrowException', ['boom'], '2');
    const text = Buffer.from(
      "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: boom",
    );
    // [3, {}, "2", 1, error] with the error as str8
    const body = Buffer.concat([hexBytes('95 03 80 a1 32 01 d9'), Buffer.from([text.length]), text]);
    expect(error.hex).toBe(lengthPrefixed(body).toString('hex'));
  });

  it('closes with 1000 and an empty reason after Abort, sending the Close message {"type":7}\\x1e first', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'json');
    await socket.send(`{"type":1,"invocationId":"1","target":"Abort","arguments":[]}${RS}`);
    const close = await socket.waitFor(ofType(7));
    expect(close.text).toBe(`{"type":7}${RS}`);
    expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
    // The Abort invocation itself is never completed.
    expect(socket.records.some(completionOf('1'))).toBe(false);
  });

  it('sends the MessagePack Close [7, nil, false] after Abort', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'messagepack');
    await socket.sendMessage({ type: 1, invocationId: '1', target: 'Abort', arguments: [] });
    expect((await socket.waitFor(ofType(7))).hex).toBe('049307c0c2');
    expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
  });

  it('answers a client Close message with {"type":7}\\x1e and closes with 1000', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.hubSocket('/testhub', 'json');
    await socket.send(`{"type":7,"error":"client is leaving","allowReconnect":true}${RS}`);
    expect((await socket.waitFor(ofType(7))).text).toBe(`{"type":7}${RS}`);
    expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });

    const binary = await wire.hubSocket('/testhub', 'messagepack');
    await binary.send(hexBytes('03 92 07 c0')); // [7, nil]: the 2-element form is accepted
    expect((await binary.waitFor(ofType(7))).hex).toBe('049307c0c2');
    expect(await binary.waitForClose()).toEqual({ code: 1000, reason: '' });
  });

  // (After a client close frame ASP.NET Core sometimes still delivers `{"type":7,"allowReconnect":true}`: the hub's
  // Close races the transport's shutdown. So only the close frame is checked.)
  it('answers any client close frame with 1000 and an empty reason', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const closes = [];
    for (const [code, reason] of [
      [undefined, undefined],
      [1000, undefined],
      [1001, undefined],
      [4000, 'bye'],
    ] as const) {
      const socket = await wire.hubSocket('/testhub', 'json');
      socket.close(code, reason);
      closes.push(await socket.waitForClose());
    }
    expect(closes).toEqual([
      { code: 1000, reason: '' },
      { code: 1000, reason: '' },
      { code: 1000, reason: '' },
      { code: 1000, reason: '' },
    ]);
  });

  it('selects no sub-protocol and declines permessage-deflate', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const socket = await wire.socket('/testhub', { perMessageDeflate: true });
    expect(socket.socket.protocol).toBe('');
    expect(socket.socket.extensions).toBe('');
    expect((await socket.handshake('json', 1)).text).toBe(`{}${RS}`);
  });
});
