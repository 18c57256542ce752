import { of, type Observable, type Subscription } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createHubConnection,
  type HubCall,
  type HubStream,
  type StreamResult,
  type Upload,
} from '../../src/index.js';

interface ChatServer {
  Send(user: string, text: string): void;
  Add(a: number, b: number): number;
  Later(ms: number): Promise<string>;
  Counter(count: number, intervalMs: number): StreamResult<number>;
  Sum(values: Upload<number>): number;
}

interface ChatClient {
  Message(user: string, text: string): void;
  Confirm(question: string): boolean;
}

/** Type-level checks: `tsc` (npm run typecheck) fails when they do not hold; the bodies never run. */
function typeOnly(checks: () => void): void {
  void checks;
}

describe('typed hubs', () => {
  const chat = createHubConnection<ChatServer, ChatClient>({ url: 'http://h/chat' });

  it('checks method names, argument tuples and result types of invoke', () => {
    typeOnly(() => {
      expectTypeOf(chat.invoke('Add', 1, 2)).toEqualTypeOf<HubCall<number>>();
      expectTypeOf(chat.invoke('Later', 5)).toEqualTypeOf<HubCall<string>>();
      expectTypeOf(chat.invoke('Send', 'me', 'hi')).toEqualTypeOf<HubCall<void>>();
      expectTypeOf(chat.invoke('Sum', of(1, 2))).toEqualTypeOf<HubCall<number>>();
      expectTypeOf(chat.invoke('Add', 1, 2).catch(() => 'failed')).toEqualTypeOf<Promise<number | string>>();
      expectTypeOf(chat.invoke('Add', 1, 2).finally(() => undefined)).toEqualTypeOf<Promise<number>>();
      // @ts-expect-error: unknown method
      void chat.invoke('Nope');
      // @ts-expect-error: wrong argument type
      void chat.invoke('Add', 1, '2');
      // @ts-expect-error: missing argument
      void chat.invoke('Add', 1);
      // @ts-expect-error: a streaming method is not invoked
      void chat.invoke('Counter', 1, 2);
    });
  });

  it('awaiting a call gives the result type', () => {
    typeOnly(() => {
      const run = async () => {
        const sum = await chat.invoke('Add', 1, 2);
        expectTypeOf(sum).toEqualTypeOf<number>();
      };
      expectTypeOf(run).returns.toEqualTypeOf<Promise<void>>();
    });
  });

  it('checks streams: only streaming methods, typed items', () => {
    typeOnly(() => {
      expectTypeOf(chat.stream('Counter', 3, 10)).toEqualTypeOf<HubStream<number>>();
      expectTypeOf(chat.stream('Counter', 3, 10)).toMatchTypeOf<Observable<number>>();
      expectTypeOf(chat.stream('Counter', 3, 10)).toMatchTypeOf<AsyncIterable<number>>();
      // @ts-expect-error: not a streaming method
      void chat.stream('Add', 1, 2);
    });
  });

  it('checks send like invoke', () => {
    typeOnly(() => {
      expectTypeOf(chat.send('Send', 'me', 'hi')).toEqualTypeOf<Promise<void>>();
      // @ts-expect-error: wrong arguments
      void chat.send('Send', 1);
    });
  });

  it('types client methods: on() tuples and handle() results', () => {
    typeOnly(() => {
      expectTypeOf(chat.on('Message')).toEqualTypeOf<Observable<[user: string, text: string]>>();
      expectTypeOf(chat.handle('Confirm', (question) => question.length > 0)).toEqualTypeOf<Subscription>();
      chat.handle('Confirm', () => Promise.resolve(true));
      chat.handle('Confirm', () => of(true));
      // @ts-expect-error: wrong result type
      chat.handle('Confirm', () => 'yes');
      // @ts-expect-error: unknown client method
      chat.on('Nope');
    });
  });

  it('an untyped connection accepts anything, with results of type any', () => {
    typeOnly(() => {
      const any = createHubConnection({ url: 'http://h/hub' });
      expectTypeOf(any.invoke('Whatever', 1, 'a', {})).toEqualTypeOf<HubCall<any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
      expectTypeOf(any.on('Whatever')).toEqualTypeOf<Observable<any[]>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
      void any.stream('Whatever');
    });
  });
});
