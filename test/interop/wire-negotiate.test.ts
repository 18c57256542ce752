// Raw negotiate (`POST {hub}/negotiate`), checked byte for byte against every target: versions, ids, field order,
// transports per hub, the stateful-reconnect grant, error payloads, methods and headers.

import { expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import { wireSession } from '../support/wire.js';

/** 16 random bytes, base64url without padding (`WebEncoders.Base64UrlEncode`). */
const CONNECTION_ID = /^[A-Za-z0-9_-]{22}$/;

const ALL_TRANSPORTS =
  '[{"transport":"WebSockets","transferFormats":["Text","Binary"]},' +
  '{"transport":"ServerSentEvents","transferFormats":["Text"]},' +
  '{"transport":"LongPolling","transferFormats":["Text","Binary"]}]';
const NO_WEBSOCKETS =
  '[{"transport":"ServerSentEvents","transferFormats":["Text"]},' +
  '{"transport":"LongPolling","transferFormats":["Text","Binary"]}]';

/** Replaces the two random ids so a whole body can be compared exactly. */
function normalizeIds(text: string): string {
  return text
    .replace(/"connectionId":"[A-Za-z0-9_-]{22}"/, '"connectionId":"<id>"')
    .replace(/"connectionToken":"[A-Za-z0-9_-]{22}"/, '"connectionToken":"<token>"');
}

describeEachTarget('wire: negotiate', (target) => {
  it('v0 (no negotiateVersion): connectionId only, no token; exact JSON and headers', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const response = await wire.request('/testhub/negotiate', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe(String(response.body.length));
    expect(response.headers.get('cache-control')).toBeNull();
    expect(normalizeIds(response.text)).toBe(
      `{"negotiateVersion":0,"connectionId":"<id>","availableTransports":${ALL_TRANSPORTS}}`,
    );
    const body = JSON.parse(response.text) as { connectionId: string };
    expect(body.connectionId).toMatch(CONNECTION_ID);
  });

  it('v1: connectionId and a distinct connectionToken, both 22-char base64url, in this field order', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const response = await wire.request('/testhub/negotiate?negotiateVersion=1', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(normalizeIds(response.text)).toBe(
      `{"negotiateVersion":1,"connectionId":"<id>","connectionToken":"<token>","availableTransports":${ALL_TRANSPORTS}}`,
    );
    const body = JSON.parse(response.text) as Record<string, string>;
    expect(Object.keys(body)).toEqual([
      'negotiateVersion',
      'connectionId',
      'connectionToken',
      'availableTransports',
    ]);
    expect(body.connectionId).toMatch(CONNECTION_ID);
    expect(body.connectionToken).toMatch(CONNECTION_ID);
    expect(body.connectionToken).not.toBe(body.connectionId);
  });

  it('hands out fresh ids on every negotiate', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { body } = await wire.negotiate('/testhub');
      ids.add(String(body.connectionId)).add(String(body.connectionToken));
    }
    expect(ids.size).toBe(10);
  });

  it('clamps a version above 1 to 1 and treats an explicit 0 like no version', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const two = await wire.negotiate('/testhub', 'negotiateVersion=2');
    expect(two.body.negotiateVersion).toBe(1);
    expect(two.body.connectionToken).toMatch(CONNECTION_ID);
    const zero = await wire.negotiate('/testhub', 'negotiateVersion=0');
    expect(zero.body.negotiateVersion).toBe(0);
    expect(zero.body).not.toHaveProperty('connectionToken');
  });

  it('reads the query keys case-insensitively', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { response } = await wire.negotiate('/testhub', 'NEGOTIATEVERSION=1&USESTATEFULRECONNECT=True');
    expect(normalizeIds(response.text)).toBe(
      `{"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"<id>","connectionToken":"<token>",` +
        `"availableTransports":${ALL_TRANSPORTS}}`,
    );
  });

  it('lists only Server-Sent Events and Long Polling on /testhub-nowebsockets', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { response } = await wire.negotiate('/testhub-nowebsockets');
    expect(normalizeIds(response.text)).toBe(
      `{"negotiateVersion":1,"connectionId":"<id>","connectionToken":"<token>","availableTransports":${NO_WEBSOCKETS}}`,
    );
  });

  it('grants useStatefulReconnect=true on /testhub as the first field', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const { response } = await wire.negotiate('/testhub', 'negotiateVersion=1&useStatefulReconnect=true');
    expect(normalizeIds(response.text)).toBe(
      `{"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"<id>","connectionToken":"<token>",` +
        `"availableTransports":${ALL_TRANSPORTS}}`,
    );
    // Granted with v0 too (no token then).
    const v0 = await wire.negotiate('/testhub', 'useStatefulReconnect=true');
    expect(normalizeIds(v0.response.text)).toBe(
      `{"useStatefulReconnect":true,"negotiateVersion":0,"connectionId":"<id>","availableTransports":${ALL_TRANSPORTS}}`,
    );
  });

  it('does not grant stateful reconnect on /testhub-nowebsockets, nor for a value that is not a boolean', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const other = await wire.negotiate(
      '/testhub-nowebsockets',
      'negotiateVersion=1&useStatefulReconnect=true',
    );
    expect(other.response.text.startsWith('{"negotiateVersion":1,')).toBe(true);
    expect(other.body).not.toHaveProperty('useStatefulReconnect');
    const yes = await wire.negotiate('/testhub', 'negotiateVersion=1&useStatefulReconnect=yes');
    expect(yes.body).not.toHaveProperty('useStatefulReconnect');
  });

  it('answers a non-integer version with the error JSON (200, application/json)', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    for (const version of ['abc', '1.0', '']) {
      const response = await wire.request(`/testhub/negotiate?negotiateVersion=${version}`, {
        method: 'POST',
      });
      expect(response.status, version).toBe(200);
      expect(response.headers.get('content-type'), version).toBe('application/json');
      expect(response.text, version).toBe('{"error":"The client requested a non-integer protocol version."}');
    }
  });

  it('answers a version that does not fit an Int32 with the non-integer error', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const response = await wire.request('/testhub/negotiate?negotiateVersion=99999999999', {
      method: 'POST',
    });
    expect(response.text).toBe('{"error":"The client requested a non-integer protocol version."}');
  });

  it('answers a version below the minimum with the version error', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const response = await wire.request('/testhub/negotiate?negotiateVersion=-1', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.text).toBe(
      `{"error":"The client requested version '-1', but the server does not support this version."}`,
    );
  });

  it('answers any other method than POST on /negotiate with 405, text/plain, empty body', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
      const response = await wire.request('/testhub/negotiate?negotiateVersion=1', { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('content-type'), method).toBe('text/plain');
      expect(response.text, method).toBe('');
    }
  });

  it('sends an empty 405 with Content-Length: 0', async (ctx) => {
    const wire = wireSession(target.url, ctx);
    const response = await wire.request('/testhub/negotiate', { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-length')).toBe('0');
    expect(response.headers.get('transfer-encoding')).toBeNull();
  });
});
