import { describe, expect, it } from 'vitest';
import { ConnectionNotFoundError, HttpError, TransportError } from '../../src/errors.js';
import { LongPollingTransport } from '../../src/transports/long-polling.js';
import type { TransferFormat } from '../../src/transports/transport.js';
import { flush } from '../support/virtual-clock.js';
import {
  expectCoalescedPosts,
  expectPostSends,
  HUB,
  recordingEvents,
  scriptedFetch,
  transportContext,
  type FakeRequest,
} from './http-fakes.js';

function setup() {
  const http = scriptedFetch();
  const context = transportContext(http.fetch);
  const transport = new LongPollingTransport(context);
  const events = recordingEvents();
  /** The one poll waiting for the server. */
  const poll = async (): Promise<FakeRequest> => {
    await flush();
    const polls = http.pending('GET');
    expect(polls).toHaveLength(1);
    return polls[0]!;
  };
  /** Connects; the first poll is answered at once with `first` (200, empty by default). */
  const connect = async (format: TransferFormat = 'text', first: () => void = () => undefined) => {
    const connected = transport.connect(HUB, format, events, new AbortController().signal);
    const request = await poll();
    first();
    if (!request.settled) request.answer(200);
    await connected;
    await flush();
  };
  return { ...http, context, transport, events, poll, connect };
}

describe('LongPollingTransport', () => {
  it('connects on the first poll, which the server answers at once, then keeps one poll open', async () => {
    const { transport, events, requests, poll, connect } = setup();
    expect(transport).toMatchObject({ name: 'longPolling', inherentKeepAlive: true });
    await connect();
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(requests[0]!.query.get('id')).toBe('tok');
    // The second poll waits for the server; nothing was received from the empty first answer.
    expect((await poll()).settled).toBe(false);
    expect(events.received).toEqual([]);
  });

  it("delivers the first poll's body", async () => {
    const { events, requests, connect } = setup();
    await connect('text', () => requests[0]!.answer(200, '{}\x1e'));
    expect(events.received).toEqual(['{}\x1e']);
  });

  it('gives every poll a different _= cache-buster, and keeps the id', async () => {
    const { requests, poll, connect } = setup();
    await connect();
    for (let i = 0; i < 5; i++) (await poll()).answer(200, `m${i}\x1e`);
    await poll();
    const gets = requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(7);
    const busters = gets.map((r) => r.query.get('_'));
    expect(busters.every((b) => b !== null && b !== '')).toBe(true);
    expect(new Set(busters).size).toBe(gets.length);
    expect(gets.every((r) => r.query.get('id') === 'tok')).toBe(true);
  });

  it('polls again after an empty 200 without delivering anything; delivers bodies in order', async () => {
    const { events, poll, connect } = setup();
    await connect();
    (await poll()).answer(200);
    (await poll()).answer(200, 'a\x1e');
    (await poll()).answer(200);
    (await poll()).answer(200, 'b\x1e');
    await poll();
    expect(events.received).toEqual(['a\x1e', 'b\x1e']);
    expect(events.closes).toEqual([]);
  });

  it('polls again when a poll times out on the client', async () => {
    const { context, events, requests, poll, connect } = setup();
    await connect();
    const first = await poll();
    await context.clock.advance(100_000);
    expect(first.aborted).toBe(true);
    expect((await poll()).settled).toBe(false);
    expect(events.closes).toEqual([]);
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(3);
  });

  it('a 204 ends the transport without an error, and polls no more', async () => {
    const { events, requests, transport, poll, connect } = setup();
    await connect();
    (await poll()).answer(204);
    await flush();
    expect(events.closes).toEqual([undefined]);
    expect(events.closes).toHaveLength(1);
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(2);
    await expect(transport.send('x')).rejects.toBeInstanceOf(TransportError);
  });

  it('a 204 on the first poll fails connect with a TransportError', async () => {
    const { transport, events, poll } = setup();
    const connected = transport.connect(HUB, 'text', events, new AbortController().signal);
    (await poll()).answer(204);
    const error = await connected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ transport: 'longPolling' });
  });

  it.each([
    [404, 'ConnectionNotFoundError'],
    [500, 'HttpError'],
  ])('a %i poll closes the transport with a %s and polls no more', async (code, name) => {
    const { events, requests, poll, connect } = setup();
    await connect();
    (await poll()).answer(code, 'gone');
    await flush();
    expect(events.closes).toHaveLength(1);
    // 404 to a request naming the connection: the server that answered does not know it (another instance).
    expect(events.closes[0]).toBeInstanceOf(code === 404 ? ConnectionNotFoundError : HttpError);
    expect(events.closes[0]).toMatchObject({ name, statusCode: code });
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('a poll the network fails closes the transport with the failure and polls no more', async () => {
    const { events, requests, poll, connect } = setup();
    await connect();
    (await poll()).fail();
    await flush();
    expect(events.closes).toHaveLength(1);
    expect(events.closes[0]).toMatchObject({
      name: 'TransportError',
      message: expect.stringContaining('fetch failed'),
    });
    expect(events.closes[0]!.cause).toBeInstanceOf(TypeError);
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('a failed first poll rejects connect with an HttpError', async () => {
    const { transport, events, poll } = setup();
    const connected = transport.connect(HUB, 'text', events, new AbortController().signal);
    (await poll()).answer(403);
    await expect(connected).rejects.toMatchObject({ name: 'HttpError', statusCode: 403 });
    expect(events.closes).toEqual([]);
  });

  it('stop() ends the pending poll and sends DELETE with the id; no close event follows', async () => {
    const { events, transport, pending, requests, poll, connect } = setup();
    await connect();
    const open = await poll();
    let stopped = false;
    const stopping = transport.stop().then(() => (stopped = true));
    await flush();
    expect(open.aborted).toBe(true);
    const [del] = pending('DELETE');
    expect(del!.url).toContain('id=tok');
    expect(stopped).toBe(false);
    del!.answer(202);
    await stopping;
    await flush();
    expect(events.closes).toEqual([]);
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET', 'DELETE']);
    await expect(transport.send('x')).rejects.toBeInstanceOf(TransportError);
  });

  it('stop() still resolves when the DELETE fails', async () => {
    const { transport, pending, connect } = setup();
    await connect();
    const stopping = transport.stop();
    await flush();
    pending('DELETE')[0]!.answer(404);
    await expect(stopping).resolves.toBeUndefined();
  });

  it('sends each frame as a POST; a refused POST rejects with an HttpError, a lost one too', async () => {
    const fake = setup();
    await fake.connect();
    await expectPostSends(fake, 500);
  });

  it("behind the connection's send queue: sends made while a POST is in flight go out as ONE POST, in order", async () => {
    const fake = setup();
    await fake.connect();
    await expectCoalescedPosts(fake);
  });

  it('binary format: polls read bytes, sends post bytes', async () => {
    const { events, transport, pending, poll, connect } = setup();
    await connect('binary');
    (await poll()).answer(200, new Uint8Array([3, 1, 2, 3]));
    await flush();
    expect(events.received).toHaveLength(1);
    expect(events.received[0]).toBeInstanceOf(Uint8Array);
    expect(Array.from(events.received[0] as Uint8Array)).toEqual([3, 1, 2, 3]);
    const sent = transport.send(new Uint8Array([9, 8]));
    await flush();
    const [post] = pending('POST');
    expect(post!.body).toEqual(new Uint8Array([9, 8]));
    expect(post!.headers.get('Content-Type')).toBe('application/octet-stream');
    post!.answer(200);
    await sent;
  });
});
