import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/common/access-tokens.js';
import { Http } from '../../src/common/http.js';
import { AbortError, HttpError, TransportError } from '../../src/errors.js';
import { ServerSentEventsTransport } from '../../src/transports/server-sent-events.js';
import type { EventSourceLike } from '../../src/transports/transport.js';
import { flush } from '../support/virtual-clock.js';
import {
  expectCoalescedPosts,
  expectPostSends,
  HUB,
  recordingEvents,
  scriptedFetch,
  transportContext,
} from './http-fakes.js';

/** An EventSource whose server side the test drives: open, message, error. */
class FakeEventSource implements EventSourceLike {
  static readonly instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: string }) => void) | null = null;
  onerror: ((event: { readonly code?: number; readonly message?: string }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly init: { readonly withCredentials?: boolean; readonly fetch?: typeof fetch } = {},
  ) {
    FakeEventSource.instances.push(this);
  }

  close(): void {
    this.readyState = 2;
    this.closed = true;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  message(data: string): void {
    this.onmessage?.({ data });
  }

  /** What a real EventSource does on a network error or a failed response: reports it and would retry. */
  fail(event: { readonly code?: number; readonly message?: string } = {}): void {
    this.readyState = 0;
    this.onerror?.(event);
  }
}

function setup() {
  FakeEventSource.instances.length = 0;
  const http = scriptedFetch();
  const context = transportContext(http.fetch, FakeEventSource);
  const transport = new ServerSentEventsTransport(context);
  const events = recordingEvents();
  const controller = new AbortController();
  const source = () => {
    expect(FakeEventSource.instances).toHaveLength(1);
    return FakeEventSource.instances[0]!;
  };
  const connect = async () => {
    const connected = transport.connect(HUB, 'text', events, controller.signal);
    source().open();
    await connected;
    return source();
  };
  return { ...http, context, transport, events, controller, source, connect };
}

describe('ServerSentEventsTransport', () => {
  it('connect resolves once the EventSource opens, not before', async () => {
    const { transport, events, controller, source } = setup();
    expect(transport).toMatchObject({ name: 'serverSentEvents', inherentKeepAlive: false });
    let connected = false;
    const connecting = transport
      .connect(HUB, 'text', events, controller.signal)
      .then(() => (connected = true));
    await flush();
    expect(connected).toBe(false);
    expect(source().url).toBe(HUB);
    expect(source().init.withCredentials).toBe(true);
    source().open();
    await connecting;
    expect(connected).toBe(true);
  });

  it('sends the access token in the query, and the headers through the fetch it gives the EventSource', async () => {
    const http = scriptedFetch();
    const context = transportContext(http.fetch, FakeEventSource);
    const tokens = new AccessTokens(() => 'secret', HUB);
    await tokens.acquire();
    FakeEventSource.instances.length = 0;
    const transport = new ServerSentEventsTransport({ ...context, tokens, http: new Http(context, tokens) });
    const connected = transport.connect(HUB, 'text', recordingEvents(), new AbortController().signal);
    const [source] = FakeEventSource.instances;
    expect(new URL(source!.url).searchParams.get('access_token')).toBe('secret');
    void source!.init.fetch!(source!.url, { headers: { Accept: 'text/event-stream' } });
    expect(Object.fromEntries(http.requests[0]!.headers)).toEqual({
      accept: 'text/event-stream',
      'x-app': '1',
    });
    source!.open();
    await connected;
  });

  it('delivers each message event as a frame, in order; an empty event is no frame', async () => {
    const { events, connect } = setup();
    const source = await connect();
    source.message('{}\x1e');
    source.message('');
    source.message('{"type":6}\x1e{"type":6}\x1e');
    expect(events.received).toEqual(['{}\x1e', '{"type":6}\x1e{"type":6}\x1e']);
    expect(events.closes).toEqual([]);
  });

  it('sends are POSTs to the connection URL; a refused POST rejects with an HttpError, a lost one too', async () => {
    const fake = setup();
    await expect(fake.transport.send('early')).rejects.toBeInstanceOf(TransportError);
    await fake.connect();
    await expectPostSends(fake, 404);
  });

  it("behind the connection's send queue: sends made while a POST is in flight go out as ONE POST, in order", async () => {
    const fake = setup();
    await fake.connect();
    await expectCoalescedPosts(fake);
  });

  it('an error before open rejects connect with a TransportError and closes the EventSource', async () => {
    const { transport, events, controller, source } = setup();
    const connected = transport.connect(HUB, 'text', events, controller.signal);
    source().fail({ message: 'connect ECONNREFUSED' });
    const error = await connected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ transport: 'serverSentEvents' });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(source().closed).toBe(true);
    expect(events.closes).toEqual([]);
  });

  it("an error before open without a status or message (a browser's EventSource) names the likely cause", async () => {
    const { transport, events, controller, source } = setup();
    const connected = transport.connect(`${HUB}?id=token`, 'text', events, controller.signal);
    source().fail();
    const error = await connected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe(
      'Server-Sent Events could not connect. If its hidden status was 404, this server does not know the ' +
        'connection (is the load balancer sticky?)',
    );
  });

  it.each([
    [403, 'HttpError'],
    [404, 'ConnectionNotFoundError'],
  ])(
    'an error before open with a status (eventsource@4) of %i rejects connect with a %s',
    async (code, name) => {
      const { transport, events, controller, source } = setup();
      const connected = transport.connect(HUB, 'text', events, controller.signal);
      source().fail({ code, message: 'Refused' });
      await expect(connected).rejects.toMatchObject({ name, statusCode: code });
      expect(source().closed).toBe(true);
    },
  );

  it('aborting the signal while connecting closes the EventSource and rejects with an AbortError', async () => {
    const { transport, events, controller, source } = setup();
    const connected = transport.connect(HUB, 'text', events, controller.signal);
    controller.abort();
    await expect(connected).rejects.toBeInstanceOf(AbortError);
    expect(source().closed).toBe(true);
  });

  it('an error after open closes the transport once with a TransportError, and the EventSource for good', async () => {
    const { transport, events, connect } = setup();
    const source = await connect();
    source.fail();
    source.fail();
    expect(events.closes).toHaveLength(1);
    expect(events.closes[0]).toBeInstanceOf(TransportError);
    expect(events.closes[0]).toMatchObject({ transport: 'serverSentEvents' });
    // EventSource would reconnect by itself: the transport closes it instead.
    expect(source.closed).toBe(true);
    source.message('late\x1e');
    expect(events.received).toEqual([]);
    await expect(transport.send('x')).rejects.toBeInstanceOf(TransportError);
  });

  it('stop() closes the EventSource; nothing is reported after it', async () => {
    const { transport, events, connect } = setup();
    const source = await connect();
    await transport.stop();
    expect(source.closed).toBe(true);
    source.fail();
    source.message('late\x1e');
    expect(events.closes).toEqual([]);
    expect(events.received).toEqual([]);
    await expect(transport.send('x')).rejects.toBeInstanceOf(TransportError);
    await transport.stop();
  });

  it('refuses the binary transfer format with a TransportError, without opening anything', async () => {
    const { transport, events, controller } = setup();
    const error = await transport.connect(HUB, 'binary', events, controller.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).not.toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ transport: 'serverSentEvents' });
    expect((error as Error).message).toMatch(/text only.*MessagePack/);
    expect(FakeEventSource.instances).toEqual([]);
  });
});
