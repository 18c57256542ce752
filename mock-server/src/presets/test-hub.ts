import type { AuthOptions } from '../auth/authenticate.js';
import { Authenticator } from '../auth/authenticate.js';
import { defineHub } from '../hub/define-hub.js';
import type {
  HubDefinition,
  HubInvocationContext,
  HubMethod,
  HubMethodDescriptor,
  ParameterType,
  SingleClientProxy,
} from '../hub/types.js';
import type { MockHubOptions, Route } from '../server/engine.js';
import type { ConnectionHandler } from '../server/raw-connection.js';
import { complexObject, customObject, dotnetError, sampleComplexObject } from './dotnet-values.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(dotnetError('TaskCanceledException', 'A task was canceled.'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(dotnetError('TaskCanceledException', 'A task was canceled.'));
      },
      { once: true },
    );
  });

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A method with the signature its C# twin declares: argument types, and no upload parameters. */
function typed(
  parameters: readonly ParameterType[],
  handler: HubMethod,
  extra: Partial<HubMethodDescriptor> = {},
): HubMethodDescriptor {
  return { handler, parameters, streamParameters: [], ...extra };
}

/** A method whose only parameter is an upload stream. */
function upload(handler: HubMethod): HubMethodDescriptor {
  return { handler, parameters: [], streamParameters: [0] };
}

/** A stream that completes at once (as a C# channel completed before it is returned). */
const completedStream = {
  subscribe(observer: { complete: () => void }) {
    observer.complete();
    return () => undefined;
  },
};

/**
 * `TestHub` of the test hub contract (`test-hub.md`): the hub of ASP.NET Core's own TypeScript functional tests,
 * plus hubrx's additions. The same hub the reference server in `test/server` hosts.
 */
export const testHub: HubDefinition = defineHub({
  methods: {
    // ---- as in the official functional tests -------------------------------------------------------------
    Echo: typed(['string'], (_ctx, message: string) => message),
    GetCallerConnectionId: typed([], (ctx) => ctx.connectionId),
    GetNumRedirects: typed([], (ctx) => {
      const value = Number.parseInt(ctx.request.query.get('numRedirects') ?? '', 10);
      return Number.isNaN(value) ? 0 : value;
    }),
    ThrowException: typed(['string'], (_ctx, message: string) => {
      throw dotnetError('InvalidOperationException', message);
    }),
    InvokeWithString: typed(['string'], (ctx, message: string) =>
      ctx.clients.caller.send('Message', message),
    ),
    SendCustomObject: typed(['object'], (ctx, value: unknown) =>
      ctx.clients.caller.send('CustomObject', customObject(value)),
    ),
    // eslint-disable-next-line @typescript-eslint/require-await -- an async generator: the hub streams what it yields
    Stream: typed([], async function* () {
      yield 'a';
      yield 'b';
      yield 'c';
    }),
    InfiniteStream: typed(
      [],
      (ctx: HubInvocationContext) => {
        // Sent from the abort listener, so StreamCanceled() reaches the client before the stream's Completion.
        ctx.signal.addEventListener('abort', () => ctx.clients.caller.send('StreamCanceled'), { once: true });
        // A stream that never yields (as the C# channel nobody writes to).
        return { subscribe: () => ({ unsubscribe: () => undefined }) };
      },
      { stream: true },
    ),
    StreamingConcat: upload(async (_ctx, stream: AsyncIterable<string>) => {
      let result = '';
      for await (const item of stream) result += item;
      return result;
    }),
    EmptyStream: typed([], () => completedStream, { stream: true }),
    StreamThrowException: typed(
      ['string'],
      (_ctx: HubInvocationContext, message: string) => {
        // Thrown by the call itself, not while streaming, as the C# method does.
        throw dotnetError('InvalidOperationException', message);
      },
      { stream: true },
    ),
    GetActiveTransportName: typed([], (ctx) => ctx.transport),
    EchoComplexObject: typed(['object'], (ctx, value: unknown) => complexObject(value, ctx.protocol)),
    SendComplexObject: typed([], (ctx) => sampleComplexObject(ctx.protocol)),
    GetContentTypeHeader: typed([], (ctx) => ctx.request.headers.get('content-type')),
    GetHeader: typed(['string'], (ctx, name: string) => ctx.request.headers.get(name)),
    GetCookie: typed(['string'], (ctx, name: string) => ctx.request.cookies.get(name) ?? null),

    // ---- added by hubrx --------------------------------------------------------------------------------------
    // int arithmetic, as C#'s (unchecked): 2147483647 + 1 is -2147483648.
    Add: typed(['int', 'int'], (_ctx, a: number, b: number) => (a + b) | 0),
    Delay: typed(['int'], async (ctx, ms: number) => {
      await sleep(ms, ctx.signal);
      return ms;
    }),
    Counter: typed(
      ['int', 'int'],
      async function* (ctx: HubInvocationContext, count: number, intervalMs: number) {
        for (let i = 0; i < count && !ctx.signal.aborted; i++) {
          if (i > 0 && intervalMs > 0) await sleep(intervalMs, ctx.signal);
          yield i;
        }
      },
    ),
    Sum: upload(async (_ctx, values: AsyncIterable<number>) => {
      let sum = 0;
      for await (const value of values) sum += value;
      return sum;
    }),
    Blast: typed(['int', 'int'], async (ctx, count: number, payloadSize: number) => {
      const payload = 'x'.repeat(Math.max(0, payloadSize));
      for (let i = 0; i < count && !ctx.signal.aborted; i++) {
        ctx.clients.caller.send('Tick', i, payload);
        // Let the transport drain now and then, as awaiting SendAsync would.
        if (i % 256 === 255) await nextTurn();
      }
    }),
    JoinGroup: typed(['string'], (ctx, group: string) => ctx.groups.add(ctx.connectionId, group)),
    LeaveGroup: typed(['string'], (ctx, group: string) => ctx.groups.remove(ctx.connectionId, group)),
    SendToGroup: typed(['string', 'string'], (ctx, group: string, message: string) =>
      ctx.clients.group(group).send('GroupMessage', group, message),
    ),
    Broadcast: typed(['string'], (ctx, message: string) => ctx.clients.all.send('Broadcast', message)),
    SendToOthers: typed(['string'], (ctx, message: string) =>
      ctx.clients.others.send('OthersMessage', message),
    ),
    SendToUser: typed(['string', 'string'], (ctx, user: string, message: string) =>
      ctx.clients.user(user).send('UserMessage', message),
    ),
    GetUserIdentifier: typed([], (ctx) => ctx.userIdentifier ?? null),
    AskClient: typed(['string'], (ctx, prompt: string) =>
      ctx.clients.caller.invoke<string>('ClientResult', prompt),
    ),
    Abort: typed([], (ctx) => ctx.abort()),
  },
});

/** `AuthorizedHub`: requires a valid bearer token. */
export const authorizedHub: HubDefinition = defineHub({
  authorize: true,
  methods: {
    Echo: typed(['string'], (_ctx, message: string) => message),
    GetUserIdentifier: typed([], (ctx) => ctx.userIdentifier ?? null),
  },
});

/** `Type: message`, as `ClientResultHub.Describe` in the reference server writes an exception. */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * `ClientResultHub` (not in test-hub.md; see the README's preset section): client results where ASP.NET Core
 * restricts them, with one parallel invocation per client. `?onConnected=caller|client|caught` tries one inside
 * `onConnected`; `?onDisconnected=caller` tries one inside `onDisconnected` and keeps what it gave for
 * `DisconnectedOutcome`.
 */
export function clientResultHub(): HubDefinition {
  const disconnectedOutcomes = new Map<string, string>();
  const ask = (proxy: SingleClientProxy, prompt: string) => proxy.invoke<string>('ClientResult', prompt);
  return defineHub({
    options: { maximumParallelInvocationsPerClient: 1 },
    async onConnected(ctx) {
      switch (ctx.request.query.get('onConnected')) {
        case 'caller':
          await ask(ctx.clients.caller, 'OnConnectedAsync');
          break;
        case 'client':
          await ask(ctx.clients.client(ctx.connectionId), 'OnConnectedAsync');
          break;
        case 'caught':
          try {
            await ask(ctx.clients.caller, 'OnConnectedAsync');
          } catch (error) {
            ctx.clients.caller.send('OnConnectedError', describeError(error));
          }
          break;
      }
    },
    async onDisconnected(ctx) {
      if (ctx.request.query.get('onDisconnected') !== 'caller') return;
      let outcome: string;
      try {
        outcome = `result: ${await ask(ctx.clients.caller, 'OnDisconnectedAsync')}`;
      } catch (error) {
        outcome = describeError(error);
      }
      disconnectedOutcomes.set(ctx.connectionId, outcome);
    },
    methods: {
      Echo: typed(['string'], (_ctx, message: string) => message),
      GetCallerConnectionId: typed([], (ctx) => ctx.connectionId),
      Delay: typed(['int'], async (ctx, ms: number) => {
        await sleep(ms, ctx.signal);
        return ms;
      }),
      AskCaller: typed(['string'], (ctx, prompt: string) => ask(ctx.clients.caller, prompt)),
      AskClient: typed(['string', 'string'], (ctx, connectionId: string, prompt: string) =>
        ask(ctx.clients.client(connectionId), prompt),
      ),
      AskCallerTwice: typed(['string', 'string'], async (ctx, first: string, second: string) => {
        const one = await ask(ctx.clients.caller, first);
        const two = await ask(ctx.clients.caller, second);
        return `${one},${two}`;
      }),
      DisconnectedOutcome: typed(
        ['string'],
        (_ctx, connectionId: string) => disconnectedOutcomes.get(connectionId) ?? null,
      ),
    },
  });
}

/** `/echo`: a raw connection that sends every payload back. */
export const echoConnection: ConnectionHandler = {
  onMessage: (connection, data) => connection.send(data),
};

function testRoutes(auth: Authenticator): Route[] {
  let redirects = 0;
  return [
    {
      method: 'GET',
      path: '/generateJwtToken',
      handler: async (_request, { url }) => {
        const user = url.searchParams.get('user') || 'testuser';
        const seconds = Number.parseInt(url.searchParams.get('expiresInSeconds') ?? '', 10);
        const token = await auth.issue(user, Number.isNaN(seconds) ? 5 : seconds);
        return new Response(token, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
      },
    },
    {
      method: 'GET',
      path: '/clientresult/*',
      handler: async (_request, { url, server }) => {
        const connectionId = decodeURIComponent(url.pathname.slice('/clientresult/'.length));
        let body: string;
        try {
          body = String(await server.hub('/testhub').clients.client(connectionId).invoke('Result'));
        } catch (error) {
          body = (error as Error).message;
        }
        return new Response(body, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
      },
    },
    {
      path: '/redirect/*',
      handler: (_request, { url }) => {
        const target = `${url.searchParams.get('baseUrl') ?? ''}/testhub?numRedirects=${++redirects}`;
        return new Response(`{ "url": "${target}" }`);
      },
    },
    {
      path: '/bad-negotiate/*',
      handler: () => new Response('Some response from server', { status: 400 }),
    },
    {
      path: '/echoredirect/*',
      handler: (_request, { url }) =>
        new Response(null, {
          status: 307,
          headers: { Location: `/echo${url.pathname.slice('/echoredirect'.length)}${url.search}` },
        }),
    },
  ];
}

/**
 * The `test` preset: the whole test hub contract (both hubs, every route), as the reference server serves it:
 * detailed errors, two parallel invocations per client, stateful reconnect on `/testhub`, exact argument counts;
 * plus `/clientresulthub` (one parallel invocation per client), which the reference server adds too.
 */
export function testPreset(auth: AuthOptions = {}): MockHubOptions {
  return {
    hubs: {
      '/testhub': { ...testHub, allowStatefulReconnects: true },
      '/testhub-nowebsockets': { ...testHub, transports: ['ServerSentEvents', 'LongPolling'] },
      '/authorizedhub': authorizedHub,
      '/clientresulthub': clientResultHub(),
    },
    connections: { '/echo': echoConnection },
    routes: testRoutes(new Authenticator(auth)),
    middleware: [
      async (_request, next, { url }) => {
        const response = await next();
        // Every path containing /negotiate sets the test cookies, plus one that has already expired.
        if (response !== undefined && url.pathname.includes('/negotiate')) {
          response.headers.append('Set-Cookie', 'testCookie=testValue; path=/');
          response.headers.append('Set-Cookie', 'testCookie2=testValue2; path=/');
          response.headers.append(
            'Set-Cookie',
            'expiredCookie=doesntmatter; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/',
          );
        }
        return response;
      },
    ],
    auth,
    detailedErrors: true,
    maximumParallelInvocationsPerClient: 2,
    strictArguments: true,
  };
}
