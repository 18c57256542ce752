// Connection lookup and transport state on the hub path (`{hub}?id=…`), with plain fetch and raw WebSocket
// upgrades: missing and unknown ids per request kind, transport changes, duplicates, wrong methods, headers.

import { expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import { RS, wireSession, type HttpResult } from '../support/wire.js';

const NO_CACHE = {
  'cache-control': 'no-cache, no-store',
  pragma: 'no-cache',
  expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
};

function expectText(response: HttpResult, status: number, text: string, what: string): void {
  expect(response.status, what).toBe(status);
  expect(response.headers.get('content-type'), what).toBe('text/plain');
  expect(response.text, what).toBe(text);
}

function expectNoCache(response: HttpResult, what: string): void {
  for (const [name, value] of Object.entries(NO_CACHE))
    expect(response.headers.get(name), `${what} ${name}`).toBe(value);
}

describeEachTarget('wire: connection lookup', (target) => {
  it('answers a missing id with 400 "Connection ID required" on POST, GET poll, SSE GET and DELETE', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    for (const hub of ['/testhub', '/testhub-nowebsockets']) {
      expectText(
        await wire.request(hub, { method: 'POST', body: 'x' }),
        400,
        'Connection ID required',
        `POST ${hub}`,
      );
      expectText(
        await wire.request(hub, { method: 'DELETE' }),
        400,
        'Connection ID required',
        `DELETE ${hub}`,
      );
      const poll = await wire.request(hub);
      expectText(poll, 400, 'Connection ID required', `GET ${hub}`);
      expectNoCache(poll, `GET ${hub}`);
      const sse = await wire.request(hub, { headers: { Accept: 'text/event-stream' } });
      expectText(sse, 400, 'Connection ID required', `SSE ${hub}`);
      expect(sse.headers.get('cache-control'), `SSE ${hub}`).toBeNull();
      // An empty id counts as missing.
      expectText(
        await wire.request(`${hub}?id=`, { method: 'POST' }),
        400,
        'Connection ID required',
        `id= ${hub}`,
      );
    }
  });

  it('answers an unknown id with 404 "No Connection with that ID" on POST, GET poll, SSE GET and DELETE', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const url = '/testhub?id=no-such-connection';
    expectText(
      await wire.request(url, { method: 'POST', body: 'x' }),
      404,
      'No Connection with that ID',
      'POST',
    );
    expectText(await wire.request(url, { method: 'DELETE' }), 404, 'No Connection with that ID', 'DELETE');
    const poll = await wire.request(url);
    expectText(poll, 404, 'No Connection with that ID', 'GET');
    expectNoCache(poll, 'GET');
    const sse = await wire.request(url, { headers: { Accept: 'text/event-stream' } });
    expectText(sse, 404, 'No Connection with that ID', 'SSE');
  });

  it('answers a WebSocket upgrade with an unknown id with 404 "No Connection with that ID"', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const rejection = await wire.rejectedUpgrade('/testhub?id=no-such-connection');
    expect(rejection.status).toBe(404);
    expect(rejection.body).toBe('No Connection with that ID');
  });

  it('sets no Content-Type on the 404 to a WebSocket upgrade with an unknown id', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const rejection = await wire.rejectedUpgrade('/testhub?id=no-such-connection');
    expect(rejection.status).toBe(404);
    expect(rejection.headers['content-type']).toBeUndefined();
  });

  it('does not accept the v1 connectionId where the connectionToken belongs', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { body } = await wire.negotiate('/testhub');
    const connectionId = String(body.connectionId);
    const rejection = await wire.rejectedUpgrade(`/testhub?id=${connectionId}`);
    expect(rejection.status).toBe(404);
    expect(rejection.body).toBe('No Connection with that ID');
    expectText(
      await wire.request(`/testhub?id=${connectionId}`),
      404,
      'No Connection with that ID',
      'GET with the connectionId',
    );
  });

  it('refuses WebSockets on /testhub-nowebsockets with 404 "WebSockets transport not supported by this end point type"', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const negotiated = await wire.negotiate('/testhub-nowebsockets');
    for (const path of ['/testhub-nowebsockets', `/testhub-nowebsockets?id=${negotiated.id}`]) {
      const rejection = await wire.rejectedUpgrade(path);
      expect(rejection.status, path).toBe(404);
      expect(rejection.headers['content-type'], path).toBe('text/plain');
      expect(rejection.body, path).toBe('WebSockets transport not supported by this end point type');
    }
  });

  it('on a WebSocket connection: 409 for a second WebSocket, 400 for polls and SSE, 405 for POST, 400 for DELETE', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const socket = await wire.socket(url);
    await socket.handshake('json', 1);

    const second = await wire.rejectedUpgrade(url);
    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toBe('text/plain');
    expect(second.body).toBe('');

    const poll = await wire.request(url);
    expectText(poll, 400, 'Cannot change transports mid-connection', 'GET poll');
    expectNoCache(poll, 'GET poll');
    expectText(
      await wire.request(url, { headers: { Accept: 'text/event-stream' } }),
      400,
      'Cannot change transports mid-connection',
      'SSE',
    );
    expectText(
      await wire.request(url, { method: 'POST', body: 'x' }),
      405,
      'POST requests are not allowed for WebSocket connections.',
      'POST',
    );
    expectText(
      await wire.request(url, { method: 'DELETE' }),
      400,
      'Cannot terminate this connection using the DELETE endpoint.',
      'DELETE',
    );

    // None of that disturbed the WebSocket.
    const completion = await socket.invoke('Echo', ['still here'], '1');
    expect(completion.text).toBe(`{"type":3,"invocationId":"1","result":"still here"}${RS}`);
  });

  it('on a long-polling connection: 400 for a WebSocket upgrade and for SSE', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const polling = wire.longPolling('/testhub', id);
    expect((await polling.poll()).status).toBe(200);

    const upgrade = await wire.rejectedUpgrade(polling.url);
    expect(upgrade.status).toBe(400);
    expect(upgrade.headers['content-type']).toBe('text/plain');
    expect(upgrade.body).toBe('Cannot change transports mid-connection');
    expectText(
      await wire.request(polling.url, { headers: { Accept: 'text/event-stream' } }),
      400,
      'Cannot change transports mid-connection',
      'SSE',
    );
    expect((await polling.delete()).status).toBe(202);
  });

  it('on an SSE connection: 409 for a second SSE, 400 for polls and DELETE', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    expect(sse.status).toBe(200);
    await sse.waitForRaw((raw) => raw.startsWith(':\r\n'));

    const second = await wire.request(url, { headers: { Accept: 'text/event-stream' } });
    expectText(second, 409, '', 'second SSE');
    const poll = await wire.request(url);
    expectText(poll, 400, 'Cannot change transports mid-connection', 'GET poll');
    expectNoCache(poll, 'GET poll');
    expectText(
      await wire.request(url, { method: 'DELETE' }),
      400,
      'Cannot terminate this connection using the DELETE endpoint.',
      'DELETE',
    );
    const upgrade = await wire.rejectedUpgrade(url);
    expect(upgrade.status).toBe(400);
    expect(upgrade.body).toBe('Cannot change transports mid-connection');
  });

  it('answers DELETE on a connection without a transport yet with 400', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    expectText(
      await wire.request(`/testhub?id=${id}`, { method: 'DELETE' }),
      400,
      'Cannot terminate this connection using the DELETE endpoint.',
      'DELETE',
    );
  });

  it('answers other methods on the hub path with 405, text/plain, empty body', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    for (const method of ['PUT', 'PATCH']) {
      expectText(await wire.request('/testhub?id=x', { method }), 405, '', method);
    }
  });

  it('sends empty HTTP answers with Content-Length: 0', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { id } = await wire.negotiate('/testhub');
    const url = wire.connectionUrl('/testhub', id);
    const sse = await wire.sse(url);
    await sse.waitForRaw((raw) => raw.startsWith(':\r\n'));
    const responses = {
      'second SSE (409)': await wire.request(url, { headers: { Accept: 'text/event-stream' } }),
      'POST (200)': await wire.request(url, { method: 'POST', body: `{"protocol":"json","version":1}${RS}` }),
      'PUT (405)': await wire.request(url, { method: 'PUT' }),
    };
    for (const [what, response] of Object.entries(responses)) {
      expect(response.text, what).toBe('');
      expect(response.headers.get('content-length'), what).toBe('0');
    }
  });
});
