// Server-Sent Events with a streaming fetch body and POST sends: response headers, the opening comment, the
// `data: …\r\n\r\n` framing, the MessagePack refusal, POST answers, concurrent POSTs and the end of the stream.

import { expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import { completionOf, handshakeRequest, jsonRecord, ofType, RS, wireSession } from '../support/wire.js';

describeEachTarget('wire: Server-Sent Events', (target) => {
  for (const hub of ['/testhub', '/testhub-nowebsockets']) {
    it(`${hub}: headers, the opening ":\\r\\n" and the handshake response as one data event`, async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { id } = await wire.negotiate(hub);
      const sse = await wire.sse(wire.connectionUrl(hub, id));
      expect(sse.status).toBe(200);
      expect(sse.headers.get('content-type')).toBe('text/event-stream');
      expect(sse.headers.get('cache-control')).toBe('no-cache,no-store');
      expect(sse.headers.get('pragma')).toBe('no-cache');
      expect(sse.headers.get('content-encoding')).toBe('identity');
      expect(sse.headers.get('expires')).toBeNull();
      expect(sse.headers.get('content-length')).toBeNull();
      expect(await sse.waitForRaw((raw) => raw.length >= 3)).toBe(':\r\n');

      const sent = await wire.request(wire.connectionUrl(hub, id), {
        method: 'POST',
        body: handshakeRequest('json', 1),
      });
      expect(sent.status).toBe(200);
      expect(await sse.waitForRaw((raw) => raw.endsWith('\r\n\r\n'))).toBe(`:\r\ndata: {}${RS}\r\n\r\n`);
    });
  }

  it('frames each payload as "data: <payload>\\r\\n\\r\\n" (exact bytes of Completion and Invocation)', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    await wire.request(url, { method: 'POST', body: handshakeRequest('json', 1) });
    await sse.waitFor((record) => record.handshake);

    await wire.request(url, {
      method: 'POST',
      body: jsonRecord({ type: 1, invocationId: '1', target: 'InvokeWithString', arguments: ['hi'] }),
    });
    await sse.waitFor(completionOf('1'));
    // Several messages may share one event; every event is "data: " + payload + "\r\n\r\n".
    expect(sse.raw.replace(/data: ([^\r\n]*)\r\n\r\n/g, '<$1>')).toBe(
      `:\r\n<{}${RS}>` +
        sse.events
          .slice(1)
          .map((event) => `<${event}>`)
          .join(''),
    );
    expect(sse.records.map((record) => record.text)).toEqual([
      `{}${RS}`,
      `{"type":1,"target":"Message","arguments":["hi"]}${RS}`,
      `{"type":3,"invocationId":"1","result":null}${RS}`,
    ]);
    const transport = await wire.request(url, {
      method: 'POST',
      body: jsonRecord({ type: 1, invocationId: '2', target: 'GetActiveTransportName', arguments: [] }),
    });
    expect(transport.status).toBe(200);
    expect((await sse.waitFor(completionOf('2'))).text).toBe(
      `{"type":3,"invocationId":"2","result":"ServerSentEvents"}${RS}`,
    );
  });

  it('refuses the MessagePack handshake with the exact transfer-format error, then ends the stream', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    await wire.request(url, { method: 'POST', body: handshakeRequest('messagepack', 1) });
    await sse.waitForEnd();
    expect(sse.raw).toBe(
      ':\r\ndata: {"error":"Cannot use the \'messagepack\' protocol on the current transport. ' +
        `The transport does not support 'Binary' transfer format."}${RS}\r\n\r\n`,
    );
  });

  it('answers POST sends with 200, text/plain and an empty body', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    const handshake = await wire.request(url, { method: 'POST', body: handshakeRequest('json', 1) });
    const invocation = await wire.request(url, {
      method: 'POST',
      body: jsonRecord({ type: 1, invocationId: '1', target: 'Echo', arguments: ['x'] }),
    });
    for (const response of [handshake, invocation]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain');
      expect(response.text).toBe('');
    }
    expect((await sse.waitFor(completionOf('1'))).text).toBe(
      `{"type":3,"invocationId":"1","result":"x"}${RS}`,
    );
  });

  it('accepts concurrent POSTs (queued, all 200) and answers every invocation', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    await wire.request(url, { method: 'POST', body: handshakeRequest('json', 1) });
    await sse.waitFor((record) => record.handshake);

    const ids = Array.from({ length: 20 }, (_, index) => String(index + 1));
    const responses = await Promise.all(
      ids.map((each) =>
        wire.request(url, {
          method: 'POST',
          body: jsonRecord({ type: 1, invocationId: each, target: 'Echo', arguments: [`m${each}`] }),
        }),
      ),
    );
    expect(responses.map((response) => `${response.status}:${response.text}`)).toEqual(ids.map(() => '200:'));
    // The POSTs may be queued in any order: wait until every Completion is there.
    const completions = new Map<string, unknown>();
    await sse.waitFor((record) => {
      if (ofType(3)(record)) completions.set(String(record.message?.invocationId), record.message);
      return completions.size === ids.length;
    });
    for (const each of ids) {
      expect(completions.get(each)).toEqual({ type: 3, invocationId: each, result: `m${each}` });
    }
  });

  it('ends the stream after the Close message when the server ends the connection; later requests get 404', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    await wire.request(url, { method: 'POST', body: handshakeRequest('json', 1) });
    await wire.request(url, {
      method: 'POST',
      body: jsonRecord({ type: 1, invocationId: '1', target: 'Abort', arguments: [] }),
    });
    expect((await sse.waitFor(ofType(7))).text).toBe(`{"type":7}${RS}`);
    await sse.waitForEnd();
    expect(sse.raw.endsWith(`data: {"type":7}${RS}\r\n\r\n`)).toBe(true);

    const post = await wire.request(url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(404);
    expect(post.text).toBe('No Connection with that ID');
  });

  it('ends the stream when a handshake error ends the connection (no Close message)', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    await wire.request(url, { method: 'POST', body: handshakeRequest('json', 3) });
    await sse.waitForEnd();
    expect(sse.raw).toBe(
      `:\r\ndata: {"error":"The server does not support version 3 of the 'json' protocol."}${RS}\r\n\r\n`,
    );
  });
});
