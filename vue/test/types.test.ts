// Typed hubs through every composable: method names, argument tuples (plain, refs, getters), results, stream items
// and event payloads are checked (by `npm run typecheck`; the `@ts-expect-error` lines fail it if the error they
// expect goes away).

import { describe, expectTypeOf, it } from 'vitest';
import { computed, ref, type ShallowRef } from 'vue';
import { createHub, type ConnectionState, type HubConnection, type SharedHub } from '@hubrx/core';
import {
  useHub,
  useHubEvent,
  useHubHandler,
  useHubInvoke,
  useHubState,
  useHubStream,
  type HubRef,
  type UseHubInvokeResult,
  type UseHubStreamResult,
} from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';

const chat: SharedHub<ChatServer, ChatClient> = createHub<ChatServer, ChatClient>({
  url: 'http://x.test/chat',
});
const untyped = createHub({ url: 'http://x.test/any' });

declare function someState(): ConnectionState;

/** Type-level only: never called. */
function checks() {
  expectTypeOf(useHub(chat)).toEqualTypeOf<HubConnection<ChatServer, ChatClient>>();
  const state = useHubState(chat);
  expectTypeOf(state).toEqualTypeOf<HubRef<ConnectionState>>();
  expectTypeOf(state.value).toEqualTypeOf<ConnectionState>();
  expectTypeOf(state).toMatchTypeOf<Readonly<ShallowRef<ConnectionState>>>();
  // @ts-expect-error read-only
  state.value = someState();

  useHubEvent(chat, 'Message', (user, text) => {
    expectTypeOf(user).toEqualTypeOf<string>();
    expectTypeOf(text).toEqualTypeOf<string>();
  });
  // @ts-expect-error not a client method
  useHubEvent(chat, 'Nope', () => {});
  // @ts-expect-error the payload is (string, string)
  useHubEvent(chat, 'Message', (_user: number) => {});

  useHubHandler(chat, 'Confirm', (question) => {
    expectTypeOf(question).toEqualTypeOf<string>();
    return true;
  });
  useHubHandler(chat, 'Confirm', () => Promise.resolve(false));
  // @ts-expect-error Confirm answers a boolean
  useHubHandler(chat, 'Confirm', () => 'yes');

  const add = useHubInvoke(chat, 'Add');
  expectTypeOf(add).toEqualTypeOf<UseHubInvokeResult<ChatServer, 'Add'>>();
  expectTypeOf(add.invoke).parameters.toEqualTypeOf<[a: number, b: number]>();
  expectTypeOf(add.invoke).returns.toEqualTypeOf<Promise<number>>();
  expectTypeOf(add.data.value).toEqualTypeOf<number | undefined>();
  expectTypeOf(add.error.value).toEqualTypeOf<Error | null>();
  expectTypeOf(add.pending.value).toEqualTypeOf<boolean>();
  expectTypeOf(add.status.value).toEqualTypeOf<'idle' | 'pending' | 'success' | 'error'>();
  // @ts-expect-error two numbers
  void add.invoke(1, '2');
  // @ts-expect-error read-only
  add.pending.value = true;
  // @ts-expect-error Count is a stream: call it with useHubStream
  useHubInvoke(chat, 'Count');
  // @ts-expect-error not a server method
  useHubInvoke(chat, 'Nope');

  const ticks = useHubStream(chat, 'Ticks', ['a', 10], { keep: 5 });
  expectTypeOf(ticks).toEqualTypeOf<UseHubStreamResult<string>>();
  expectTypeOf(ticks.items.value).toEqualTypeOf<readonly string[]>();
  expectTypeOf(ticks.latest.value).toEqualTypeOf<string | undefined>();
  expectTypeOf(ticks.status.value).toEqualTypeOf<'idle' | 'streaming' | 'complete' | 'error'>();
  expectTypeOf(useHubStream(chat, 'Count', [3]).items.value).toEqualTypeOf<readonly number[]>();
  // Arguments as refs and getters, each or all; enabled and keep too.
  const label = ref('a');
  const enabled = ref(true);
  useHubStream(chat, 'Ticks', [label, () => 10], { enabled, keep: () => 3 });
  useHubStream(chat, 'Ticks', () => [label.value, 10]);
  useHubStream(
    chat,
    'Ticks',
    computed(() => [label.value, 10] as const),
  );
  useHubStream(chat, 'Ticks', ref<[string, number]>(['a', 10]));
  // @ts-expect-error the arguments are (string, number)
  useHubStream(chat, 'Ticks', [10, 'a']);
  // @ts-expect-error a ref of the wrong type
  useHubStream(chat, 'Ticks', [ref(1), 10]);
  // @ts-expect-error a getter of the wrong type
  useHubStream(chat, 'Ticks', () => [1, 10]);
  // @ts-expect-error Add is not a stream
  useHubStream(chat, 'Add', [1, 2]);
  // @ts-expect-error enabled is a boolean
  useHubStream(chat, 'Count', [3], { enabled: 'yes' });

  // Untyped hubs take any name and arguments; results are `any`, as with the official client.
  useHubEvent(untyped, 'Anything', (...args) => expectTypeOf(args).toEqualTypeOf<any[]>()); // eslint-disable-line @typescript-eslint/no-explicit-any
  void useHubInvoke(untyped, 'Whatever').invoke(1, 'two', { three: 3 });
  useHubStream(untyped, 'Stream', []);
  useHubStream(untyped, 'Stream', [label, () => 2]);
}

describe('typed hubs', () => {
  it('type-check (npm run typecheck)', () => {
    expectTypeOf(checks).toBeFunction();
  });
});
