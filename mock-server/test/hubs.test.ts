// Writing hubs: definitions, contexts, clients and groups, client results, streams, authorization, routes.
import { HttpTransportType, Subject } from '@microsoft/signalr';
import { describe, expect, it } from 'vitest';
import { MessageType } from '@hubrx/core';
import {
  defineHub,
  HubException,
  MockServerError,
  type HubInvocationContext,
  type SingleClientProxy,
} from '@hubrx/mock-server';
import { connection, isType, rawClient, server, sleep } from './helpers.js';

function collect<T>(stream: {
  subscribe(o: { next(v: T): void; error(e: unknown): void; complete(): void }): unknown;
}) {
  return new Promise<T[]>((resolve, reject) => {
    const items: T[] = [];
    stream.subscribe({ next: (v) => items.push(v), error: reject, complete: () => resolve(items) });
  });
}

describe('defineHub', () => {
  it('refuses malformed definitions with a MockServerError', () => {
    expect(() => defineHub({} as never)).toThrow(MockServerError);
    expect(() => defineHub({ methods: { X: 5 as never } })).toThrow("Hub method 'X' must be a function");
    expect(() => defineHub({ methods: { Send: () => 1, send: () => 2 } })).toThrow('differ only in case');
    expect(() => defineHub({ methods: {}, transports: ['Carrier pigeon' as never] })).toThrow(
      'Unknown transport',
    );
  });
});

describe('hub methods', () => {
  it('match case-insensitively, see their context, and keep per-connection items', async () => {
    const hub = defineHub({
      methods: {
        Remember: (ctx, value: string) => void ctx.items.set('value', value),
        Recall: (ctx: HubInvocationContext) => ({
          value: ctx.items.get('value'),
          target: ctx.target,
          transport: ctx.transport,
          protocol: ctx.protocol,
          header: ctx.request.headers.get('x-test'),
        }),
      },
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = connection(`${mock.url}/hub`, {
      transport: HttpTransportType.LongPolling,
      headers: { 'x-test': 'yes' },
    });
    await client.start();
    await client.invoke('remember', 'kept');
    expect(await client.invoke('RECALL')).toEqual({
      value: 'kept',
      target: 'Recall',
      transport: 'LongPolling',
      protocol: 'json',
      header: 'yes',
    });
  });

  it('runs onConnected and onDisconnected', async () => {
    const events: string[] = [];
    const hub = defineHub({
      methods: {},
      onConnected: (ctx) => void events.push(`connected ${ctx.connectionId}`),
      onDisconnected: (ctx, error) => void events.push(`disconnected ${ctx.connectionId} ${String(error)}`),
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = connection(`${mock.url}/hub`);
    await client.start();
    const [connected] = events;
    const id = connected!.split(' ')[1]!;
    await client.stop();
    await mock.waitForDisconnect(id).catch(() => undefined);
    await expect.poll(() => events).toEqual([`connected ${id}`, `disconnected ${id} undefined`]);
  });

  it('closes without reconnect when onConnected throws, and does not call onDisconnected', async () => {
    let disconnects = 0;
    const hub = defineHub({
      methods: {},
      onConnected: () => {
        throw new HubException('Not today.');
      },
      onDisconnected: () => void disconnects++,
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = await rawClient(`${mock.url}/hub`);
    expect(await client.next((m) => m.type === MessageType.Close)).toEqual({
      type: MessageType.Close,
      error: 'Connection closed with an error. HubException: Not today.',
    });
    await client.closed;
    await sleep(20);
    expect(disconnects).toBe(0);
  });

  it('addresses all, others, groups, users and connections, also from outside any method', async () => {
    const hub = defineHub({
      methods: { Join: (ctx, group: string) => ctx.groups.add(ctx.connectionId, group) },
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const [alice, bob] = [await mock.issueToken('alice'), await mock.issueToken('bob')];
    const a = connection(`${mock.url}/hub`, { accessTokenFactory: () => alice });
    const b = connection(`${mock.url}/hub`, { accessTokenFactory: () => bob });
    const received: string[] = [];
    a.on('Note', (text: string) => received.push(`a:${text}`));
    b.on('Note', (text: string) => received.push(`b:${text}`));
    await a.start();
    await b.start();
    await a.invoke('Join', 'red');
    const context = mock.hub('/hub');
    const [idA] = context.connections.filter((c) => c.user?.id === 'alice').map((c) => c.connectionId);
    context.clients.all.send('Note', 'all');
    context.clients.group('red').send('Note', 'red');
    context.clients.user('bob').send('Note', 'bob');
    context.clients.allExcept([idA!]).send('Note', 'except');
    context.clients.client(idA!).send('Note', 'one');
    context.groups.remove(idA!, 'red');
    context.clients.group('red').send('Note', 'nobody');
    await expect.poll(() => received.length).toBe(6);
    expect(received.sort()).toEqual(['a:all', 'a:one', 'a:red', 'b:all', 'b:bob', 'b:except']);
    expect(context.connections.find((c) => c.connectionId === idA)?.groups).toEqual([]);
  });

  it('gets client results, and their errors and timeouts', async () => {
    const hub = defineHub({
      methods: {
        Ask: (ctx, question: string) => ctx.clients.caller.invoke<string>('Answer', question),
        AskQuickly: (ctx) => ctx.clients.caller.invokeWith({ timeoutMs: 50 }, 'Never'),
      },
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = connection(`${mock.url}/hub`);
    client.on('Answer', (question: string) =>
      question === 'fail' ? Promise.reject(new Error('no')) : `re: ${question}`,
    );
    client.on('Never', () => new Promise(() => undefined));
    await client.start();
    expect(await client.invoke('Ask', 'hi')).toBe('re: hi');
    await expect(client.invoke('Ask', 'fail')).rejects.toThrow(
      "An unexpected error occurred invoking 'Ask' on the server. HubException: Error: no",
    );
    await expect(client.invoke('AskQuickly')).rejects.toThrow(
      "HubException: The client did not answer 'Never' within 50 ms.",
    );
  });

  it('refuses client results in onConnected at once, as ASP.NET Core does, also through a proxy kept from there', async () => {
    const refused =
      'InvalidOperationException: Client results inside OnConnectedAsync Hub methods are not allowed.';
    const hub = defineHub({
      onConnected(ctx) {
        ctx.items.set('caller', ctx.clients.caller);
        // Not awaited, and still fatal: the refusal is thrown by the call itself, as the C# method throws it.
        if (ctx.request.query.get('mode') === 'unawaited') void ctx.clients.caller.invoke('Answer');
      },
      methods: {
        AskKept: (ctx) => (ctx.items.get('caller') as SingleClientProxy).invoke('Answer'),
        AskNow: (ctx) => ctx.clients.caller.invoke('Answer'),
      },
      options: { detailedErrors: true },
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const closing = await rawClient(`${mock.url}/hub?mode=unawaited`);
    expect(await closing.next(isType(MessageType.Close))).toEqual({
      type: MessageType.Close,
      error: `Connection closed with an error. ${refused}`,
    });

    const client = connection(`${mock.url}/hub`);
    client.on('Answer', () => 42);
    await client.start();
    await expect(client.invoke('AskKept')).rejects.toThrow(
      `An unexpected error occurred invoking 'AskKept' on the server. ${refused}`,
    );
    expect(await client.invoke('AskNow')).toBe(42);
  });

  it('streams Observables and AsyncIterables from plain functions, and uploads into declared positions', async () => {
    const hub = defineHub({
      methods: {
        Ticks: {
          stream: true,
          handler: () => ({
            subscribe(observer: { next(v: number): void; complete(): void }) {
              observer.next(1);
              observer.next(2);
              observer.complete();
              return () => undefined;
            },
          }),
        },
        Letters: () =>
          (async function* () {
            yield 'x';
            await Promise.resolve();
            yield 'y';
          })(),
        Label: {
          streamParameters: [0],
          handler: async (_ctx, values: AsyncIterable<number>, label: string) => {
            let sum = 0;
            for await (const value of values) sum += value;
            return `${label}=${sum}`;
          },
        },
      },
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = connection(`${mock.url}/hub`);
    await client.start();
    expect(await collect(client.stream<number>('Ticks'))).toEqual([1, 2]);
    expect(await collect(client.stream<string>('Letters'))).toEqual(['x', 'y']);
    await expect(client.invoke('Ticks')).rejects.toThrow(
      "The client attempted to invoke the streaming 'Ticks' method with a non-streaming invocation.",
    );
    const upload = new Subject<number>();
    const result = client.invoke<string>('Label', upload, 'sum');
    upload.next(2);
    upload.next(3);
    upload.complete();
    expect(await result).toBe('sum=5');
  });

  it('checks argument counts (missing always; extra with strictArguments)', async () => {
    const hub = defineHub({ methods: { Pair: (_ctx, a: number, b: number) => [a, b] } });
    const lax = await server({ hubs: { '/hub': hub } });
    const strict = await server({ hubs: { '/hub': hub }, strictArguments: true, detailedErrors: true });
    const a = connection(`${lax.url}/hub`);
    const b = connection(`${strict.url}/hub`);
    await a.start();
    await b.start();
    await expect(a.invoke('Pair', 1)).rejects.toThrow(
      "Failed to invoke 'Pair' due to an error on the server.",
    );
    expect(await a.invoke('Pair', 1, 2, 3)).toEqual([1, 2]);
    await expect(b.invoke('Pair', 1, 2, 3)).rejects.toThrow(
      "Failed to invoke 'Pair' due to an error on the server. InvalidDataException: Invocation provides 3 argument(s) but target expects 2.",
    );
  });

  it('runs one invocation at a time per client by default, queueing the rest', async () => {
    let running = 0;
    let peak = 0;
    const hub = defineHub({
      methods: {
        Work: async () => {
          peak = Math.max(peak, ++running);
          await sleep(20);
          running--;
        },
      },
    });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = connection(`${mock.url}/hub`);
    await client.start();
    await Promise.all(Array.from({ length: 5 }, () => client.invoke('Work')));
    expect(peak).toBe(1);
  });
});

describe('authorization', () => {
  it('answers 401 without a user and 403 when the rule refuses one', async () => {
    const hub = defineHub({
      authorize: (user) => user?.id === 'admin',
      methods: { Who: (ctx) => ctx.userIdentifier },
    });
    const mock = await server({ hubs: { '/admin': hub } });
    const negotiate = (token?: string) =>
      fetch(`${mock.url}/admin/negotiate?negotiateVersion=1`, {
        method: 'POST',
        ...(token !== undefined && { headers: { Authorization: `Bearer ${token}` } }),
      });
    const anonymous = await negotiate();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await negotiate(await mock.issueToken('guest'))).status).toBe(403);
    expect((await negotiate(await mock.issueToken('admin'))).status).toBe(200);
    const expired = await negotiate(await mock.issueToken('admin', -1));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('with auth.audience, takes only tokens whose aud names it (a string or an array), as JwtBearer does', async () => {
    const hub = defineHub({ authorize: true, methods: { Who: (ctx) => ctx.userIdentifier } });
    const service = 'http://service.test/client/?hub=chat';
    const mock = await server({ hubs: { '/client': hub }, auth: { audience: [service, 'other'] } });
    const negotiate = async (extra: Record<string, unknown>) =>
      fetch(`${mock.url}/client/negotiate?hub=chat&negotiateVersion=1`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await mock.issueToken('alice', 60, extra)}` },
      });
    expect((await negotiate({ aud: service })).status).toBe(200);
    expect((await negotiate({ aud: ['x', 'other'] })).status).toBe(200);
    for (const aud of [{}, { aud: 'http://app.test/' }, { aud: [] }]) {
      const refused = await negotiate(aud);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token".*audience/);
    }
  });

  it('refuses a method to unauthorized callers with ASP.NET Core text', async () => {
    const hub = defineHub({ methods: { Secret: { authorize: true, handler: () => 42 }, Open: () => 1 } });
    const mock = await server({ hubs: { '/hub': hub } });
    const client = connection(`${mock.url}/hub`);
    await client.start();
    expect(await client.invoke('Open')).toBe(1);
    await expect(client.invoke('Secret')).rejects.toThrow(
      "Failed to invoke 'Secret' because user is unauthorized",
    );
  });
});

describe('negotiate answers', () => {
  it('redirects a client to another hub with an access token, or stops it with an error', async () => {
    const target = defineHub({ authorize: true, methods: { Who: (ctx) => ctx.userIdentifier } });
    const mock = await server({
      hubs: {
        '/target': target,
        '/front': defineHub({
          methods: {},
          negotiate: async (request) =>
            request.query.get('closed') === 'yes'
              ? { error: 'This hub is closed for maintenance.' }
              : {
                  redirect: `${request.url.split('/front')[0]}/target`,
                  accessToken: await tokenFor('redirected'),
                },
        }),
      },
    });
    const tokenFor = (user: string) => mock.issueToken(user);
    const client = connection(`${mock.url}/front`);
    await client.start();
    expect(await client.invoke('Who')).toBe('redirected');
    await expect(connection(`${mock.url}/front?closed=yes`).start()).rejects.toThrow(
      'This hub is closed for maintenance.',
    );
  });
});

describe('routes, middleware and raw connections', () => {
  it('serves custom routes (exact and prefix), middleware and a raw echo connection', async () => {
    const mock = await server({
      hubs: {},
      routes: [
        { method: 'GET', path: '/health', handler: () => new Response('ok') },
        { path: '/files/*', handler: (_request, { url }) => new Response(url.pathname) },
      ],
      middleware: [
        async (_request, next) => {
          const response = await next();
          response?.headers.set('x-served-by', 'mock');
          return response;
        },
      ],
      connections: { '/echo': { onMessage: (conn, data) => conn.send(data) } },
    });
    const health = await fetch(`${mock.url}/health`);
    expect(await health.text()).toBe('ok');
    expect(health.headers.get('x-served-by')).toBe('mock');
    expect(await (await fetch(`${mock.url}/files/a/b`)).text()).toBe('/files/a/b');
    expect((await fetch(`${mock.url}/nothing`)).status).toBe(404);
    const echo = await rawClient(`${mock.url}/echo`, '');
    echo.socket.send('hello');
    await expect.poll(() => echo.frames).toEqual(['hello']);
  });
});
