// Our client, bundled for browsers, in real Chromium against the mock server on a real port: every transport ×
// protocol pair the browser can use, with invoke, stream, on() and client results. The test page is served by the
// mock server itself, so the page and the hub share an origin.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeChromium } from './support/chromium.js';
import { startBrowserHarness, type BrowserHarness } from './support/harness.js';
import { COMBINATIONS, SERVER_TRANSPORT_NAME } from './support/scenario.js';

describeChromium('the client in Chromium', () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    harness = await startBrowserHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(() => {
    expect(harness.pageErrors).toEqual([]);
  });

  describe.each(COMBINATIONS)('$transport × $protocol', ({ transport, protocol }) => {
    let page: Page;
    let connectionId: string;

    beforeAll(async () => {
      ({ page } = await harness.newPage());
      connectionId = await page.evaluate(
        async (options) => {
          const hubrx = window.hubrx;
          window.hub = hubrx.createHubConnection({
            url: '/testhub',
            transports: [options.transport],
            protocol:
              options.protocol === 'messagepack' ? hubrx.messagePackHubProtocol() : hubrx.jsonHubProtocol(),
            reconnect: hubrx.noReconnect(),
          });
          await window.hub.start();
          return window.hub.state.connectionId ?? '';
        },
        { transport, protocol },
      );
    });
    afterAll(async () => {
      await page?.evaluate(() => window.hub.stop());
      await page?.context().close();
    });

    it('connects with that transport and protocol', async () => {
      const state = await page.evaluate(() => ({ ...window.hub.state, lastError: null }));
      expect(state).toMatchObject({ status: 'connected', transport, attempt: 0, nextRetryInMs: null });
      expect(connectionId).not.toBe('');
      const handle = harness.server.connection(connectionId);
      expect(handle?.transport).toBe(SERVER_TRANSPORT_NAME[transport]);
      expect(handle?.protocol).toBe(protocol);
      expect(await page.evaluate(() => window.hub.invoke('GetActiveTransportName'))).toBe(
        SERVER_TRANSPORT_NAME[transport],
      );
    });

    it('invokes: results, .NET values and hub errors', async () => {
      const results = await page.evaluate(async () => {
        const hub = window.hub;
        // Dates and bytes as plain data, to compare them outside the page.
        const plain = (value: unknown): unknown => {
          if (value instanceof Uint8Array) return { bytes: Array.from(value) };
          if (value instanceof Date) return { date: value.toISOString() };
          if (Array.isArray(value)) return value.map(plain);
          if (value !== null && typeof value === 'object')
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
          return value;
        };
        const error = await hub.invoke('ThrowException', 'boom').then(
          () => null,
          (thrown: unknown) => ({ name: (thrown as Error).name, message: (thrown as Error).message }),
        );
        return {
          echo: await hub.invoke('Echo', 'héllo wörld 🚀'),
          overflow: await hub.invoke('Add', 2147483647, 1),
          // Both invocations in flight at once (the server allows two per client).
          parallel: await Promise.all([hub.invoke('Delay', 50), hub.invoke('Echo', 'meanwhile')]),
          complex: plain(await hub.invoke('SendComplexObject')),
          error,
        };
      });
      const json = protocol === 'json';
      expect(results).toEqual({
        echo: 'héllo wörld 🚀',
        overflow: -2147483648,
        parallel: [50, 'meanwhile'],
        complex: {
          String: 'hello world',
          IntArray: [1, 2, 3],
          ByteArray: json ? 'AQID' : { bytes: [1, 2, 3] },
          Guid: '00010203-0405-0607-0706-050403020100',
          DateTime: json ? '2000-01-01T00:00:00Z' : { date: '2000-01-01T00:00:00.000Z' },
        },
        error: {
          name: 'HubError',
          message:
            "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: boom",
        },
      });
    });

    it('streams: for await, subscribe, and cancel by unsubscribing', async () => {
      const results = await page.evaluate(async () => {
        const hub = window.hub;
        const iterated: unknown[] = [];
        for await (const item of hub.stream('Stream')) iterated.push(item);
        const subscribed = await new Promise<unknown[]>((resolve, reject) => {
          const items: unknown[] = [];
          hub.stream('Counter', 10, 2).subscribe({
            next: (item) => items.push(item),
            error: reject,
            complete: () => resolve(items),
          });
        });
        // InfiniteStream never yields; cancelling it makes the hub call StreamCanceled() on us.
        const canceled = new Promise<string>((resolve) => {
          const subscription = hub.on('StreamCanceled').subscribe(() => {
            subscription.unsubscribe();
            resolve('StreamCanceled');
          });
        });
        const infinite = hub.stream('InfiniteStream').subscribe();
        await hub.invoke('Echo', 'the stream is running');
        infinite.unsubscribe();
        const empty: unknown[] = [];
        for await (const item of hub.stream('EmptyStream')) empty.push(item);
        return { iterated, subscribed, canceled: await canceled, empty };
      });
      expect(results).toEqual({
        iterated: ['a', 'b', 'c'],
        subscribed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        canceled: 'StreamCanceled',
        empty: [],
      });
      await harness.server.waitForMessage({ connectionId, direction: 'received', type: 5 });
    });

    it('on(): calls from the hub, and pushes from outside it', async () => {
      await page.evaluate(() => {
        window.record.message = [];
        window.record.push = [];
        window.hub.on('Message').subscribe((args) => window.record.message!.push(args));
        window.hub.on('push').subscribe((args) => window.record.push!.push(args));
      });
      await page.evaluate(() => window.hub.invoke('InvokeWithString', 'from the hub'));
      // IHubContext: the server calls the client while it is idle (a pending poll or an open stream).
      harness.server
        .hub('/testhub')
        .clients.client(connectionId)
        .send('Push', 1, 'two', { three: [3] });
      harness.server.hub('/testhub').clients.all.send('PUSH', 'to all');
      await page.waitForFunction(() => window.record.push?.length === 2, undefined, { polling: 20 });
      expect(await page.evaluate(() => window.record)).toEqual({
        message: [['from the hub']],
        push: [[1, 'two', { three: [3] }], ['to all']],
      });
    });

    it('client results: AskClient, and /clientresult/{id} asked from outside the hub', async () => {
      const results = await page.evaluate(async (id) => {
        const hub = window.hub;
        const asked = hub.handle('ClientResult', (prompt) => `answer to ${String(prompt)}`);
        const result = hub.handle(
          'Result',
          () => new Promise((resolve) => setTimeout(() => resolve(42), 20)),
        );
        const answer = await hub.invoke('AskClient', 'the question');
        const route = await (await fetch(`/clientresult/${id}`)).text();
        result.unsubscribe();
        hub.handle('Result', () => {
          throw new Error('no result today');
        });
        const failed = await (await fetch(`/clientresult/${id}`)).text();
        asked.unsubscribe();
        return { answer, route, failed };
      }, connectionId);
      // A throwing handler answers with the error as text, `${error}` (as the official client does).
      expect(results).toEqual({
        answer: 'answer to the question',
        route: '42',
        failed: 'Error: no result today',
      });
    });
  });

  it('refuses MessagePack over Server-Sent Events (text only)', async () => {
    const { page } = await harness.newPage();
    const outcome = await page.evaluate(async () => {
      const hubrx = window.hubrx;
      const hub = hubrx.createHubConnection({
        url: '/testhub',
        transports: ['serverSentEvents'],
        protocol: hubrx.messagePackHubProtocol(),
        reconnect: hubrx.noReconnect(),
      });
      return hub.start().then(
        () => ({ name: 'connected', message: '', status: hub.state.status }),
        (error: Error) => ({ name: error.name, message: error.message, status: hub.state.status }),
      );
    });
    expect(outcome.status).toBe('disconnected');
    expect(outcome.name).toBe('TransportError');
    expect(outcome.message).toMatch(/serverSentEvents does not carry the Binary transfer format/);
    await page.context().close();
  });
});
