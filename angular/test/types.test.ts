// Typed hubs through every function: method names, argument tuples, results, stream items and event payloads are
// checked (by `npm run typecheck`; the `@ts-expect-error` lines fail it if the error they expect goes away).

import { signal, type Signal } from '@angular/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createHub, type ConnectionState, type HubConnection, type SharedHub } from '@hubrx/core';
import {
  injectHub,
  injectHubEvent,
  injectHubHandler,
  injectHubInvoke,
  injectHubState,
  injectHubStream,
  type HubInvoke,
  type HubStream,
} from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';

const chat: SharedHub<ChatServer, ChatClient> = createHub<ChatServer, ChatClient>({
  url: 'http://x.test/chat',
});
const untyped = createHub({ url: 'http://x.test/any' });

/** Type-level only: never called (outside an injection context they would throw). */
function checks() {
  expectTypeOf(injectHub(chat)).toEqualTypeOf<HubConnection<ChatServer, ChatClient>>();
  expectTypeOf(injectHubState(chat)).toEqualTypeOf<Signal<ConnectionState>>();

  injectHubEvent(chat, 'Message', (user, text) => {
    expectTypeOf(user).toEqualTypeOf<string>();
    expectTypeOf(text).toEqualTypeOf<string>();
  });
  // @ts-expect-error not a client method
  injectHubEvent(chat, 'Nope', () => {});
  // @ts-expect-error the payload is (string, string)
  injectHubEvent(chat, 'Message', (_user: number) => {});

  injectHubHandler(chat, 'Confirm', (question) => {
    expectTypeOf(question).toEqualTypeOf<string>();
    return true;
  });
  injectHubHandler(chat, 'Confirm', () => Promise.resolve(false));
  // @ts-expect-error Confirm answers a boolean
  injectHubHandler(chat, 'Confirm', () => 'yes');

  const add = injectHubInvoke(chat, 'Add');
  expectTypeOf(add).toEqualTypeOf<HubInvoke<ChatServer, 'Add'>>();
  expectTypeOf(add.invoke).parameters.toEqualTypeOf<[a: number, b: number]>();
  expectTypeOf(add.invoke).returns.toEqualTypeOf<Promise<number>>();
  expectTypeOf(add.value).toEqualTypeOf<Signal<number | undefined>>();
  expectTypeOf(add.error).toEqualTypeOf<Signal<Error | null>>();
  expectTypeOf(add.status).toEqualTypeOf<Signal<'idle' | 'pending' | 'success' | 'error'>>();
  // @ts-expect-error two numbers
  void add.invoke(1, '2');
  // @ts-expect-error Count is a stream: call it with injectHubStream
  injectHubInvoke(chat, 'Count');
  // @ts-expect-error not a server method
  injectHubInvoke(chat, 'Nope');

  const ticks = injectHubStream(chat, 'Ticks', ['a', 10], { keep: 5 });
  expectTypeOf(ticks).toEqualTypeOf<HubStream<string>>();
  expectTypeOf(ticks.items).toEqualTypeOf<Signal<readonly string[]>>();
  expectTypeOf(ticks.latest).toEqualTypeOf<Signal<string | undefined>>();
  expectTypeOf(ticks.status).toEqualTypeOf<Signal<'idle' | 'streaming' | 'complete' | 'error'>>();
  expectTypeOf(injectHubStream(chat, 'Count', [3]).items).toEqualTypeOf<Signal<readonly number[]>>();
  // Signals and functions of signals: an array literal returned by an arrow is the argument tuple.
  const label = signal('a');
  injectHubStream(chat, 'Ticks', () => [label(), 10], { enabled: signal(true), keep: () => 3 });
  const args = signal<[string, number]>(['a', 10]);
  injectHubStream(chat, 'Ticks', args);
  // @ts-expect-error the arguments are (string, number)
  injectHubStream(chat, 'Ticks', [10, 'a']);
  // @ts-expect-error the arguments are (string, number), also from a function
  injectHubStream(chat, 'Ticks', () => [label()]);
  // @ts-expect-error Add is not a stream
  injectHubStream(chat, 'Add', [1, 2]);
  // @ts-expect-error enabled is a boolean
  injectHubStream(chat, 'Count', [3], { enabled: 'yes' });

  // Untyped hubs take any name and arguments; results are `any`, as with the official client.
  injectHubEvent(untyped, 'Anything', (...args) => expectTypeOf(args).toEqualTypeOf<any[]>()); // eslint-disable-line @typescript-eslint/no-explicit-any
  void injectHubInvoke(untyped, 'Whatever').invoke(1, 'two', { three: 3 });
  injectHubStream(untyped, 'Stream', []);
  injectHubStream(untyped, 'Stream', () => [label()]);
}

describe('typed hubs', () => {
  it('type-check (npm run typecheck)', () => {
    expectTypeOf(checks).toBeFunction();
  });
});
