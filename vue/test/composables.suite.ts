// The composables against a real SignalR hub server: the mock server on a port (port.test.ts) or as msw handlers
// (msw.test.ts), in jsdom with @vue/test-utils, with Vue 3.5 (project `vue`) and Vue 3.3 (project `vue-3.3`).
// Server-side facts (negotiates, connections, CancelInvocations, client-result errors) are counted by the server.

import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  computed,
  defineComponent,
  effectScope,
  h,
  nextTick,
  reactive,
  ref,
  version,
  watch,
  type Component,
} from 'vue';
import {
  createHub,
  fixedDelays,
  MessageType,
  noReconnect,
  type HubMessage,
  type ReconnectPolicy,
  type SharedHub,
} from '@hubrx/core';
import { useHub, useHubEvent, useHubHandler, useHubInvoke, useHubState, useHubStream } from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { TestClock } from '../../test/support/bindings/clock.js';
import { startServer, type Mode, type TestServer } from '../../test/support/bindings/servers.js';

type Chat = SharedHub<ChatServer, ChatClient>;

// Real servers and sockets: leave room for a busy CI machine.
const wait = { timeout: 5000 };

export function composableSuite(mode: Mode): void {
  let server: TestServer;
  const hubs: Chat[] = [];
  const wrappers: VueWrapper[] = [];

  beforeAll(async () => {
    server = await startServer(mode);
  });
  afterEach(async () => {
    for (const wrapper of wrappers.splice(0)) wrapper.unmount();
    await Promise.all(hubs.splice(0).map((hub) => hub.connection.stop()));
    server.reset();
  });
  afterAll(() => server.close());

  function chatHub(options: { reconnect?: ReconnectPolicy } = {}): { hub: Chat; clock: TestClock } {
    const clock = new TestClock();
    const hub = createHub<ChatServer, ChatClient>({
      ...server.client,
      url: server.url,
      clock,
      reconnect: options.reconnect ?? fixedDelays([0, 0, 0]),
    });
    hubs.push(hub);
    return { hub, clock };
  }

  function render(component: Component): VueWrapper {
    const wrapper = mount(component);
    wrappers.push(wrapper);
    return wrapper;
  }

  /** Messages the server received of one type, oldest first. */
  function received<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return server.mock.log
      .filter((entry) => entry.direction === 'received' && entry.message.type === type)
      .map((entry) => entry.message as Extract<HubMessage, { type: T }>);
  }

  async function connectedId(hub: Chat): Promise<string> {
    await vi.waitFor(() => expect(hub.connection.state.status).toBe('connected'), wait);
    return hub.connection.state.connectionId!;
  }

  /** Waits until the rendered text matches. */
  async function shows(wrapper: VueWrapper, text: string | RegExp): Promise<void> {
    await vi.waitFor(() => expect(wrapper.text()).toMatch(text), wait);
  }

  /** A component showing the hub's state: `<name>: <status> <connectionId>`. */
  function status(hub: Chat, name = 'status'): Component {
    return defineComponent({
      setup() {
        const state = useHubState(hub);
        return () => h('p', `${name}: ${state.value.status} ${state.value.connectionId ?? ''}`);
      },
    });
  }

  describe(`@hubrx/vue composables (Vue ${version}), mock server ${mode === 'port' ? 'on a port' : 'in msw mode'}`, () => {
    it('a component tree using every composable opens exactly one connection, and each composable works', async () => {
      const { hub } = chatHub();
      const Chat = defineComponent({
        setup() {
          const state = useHubState(hub);
          const connection = useHub(hub);
          const messages = ref<string[]>([]);
          useHubEvent(hub, 'Message', (user, text) => messages.value.push(`${user}: ${text}`));
          useHubHandler(hub, 'Confirm', (question) => question === 'ok?');
          const add = useHubInvoke(hub, 'Add');
          const count = useHubStream(hub, 'Count', [3]);
          return () =>
            h('div', [
              h('p', `state: ${state.value.status}`),
              h('p', `url: ${connection.url}`),
              h('p', `sum: ${String(add.data.value)}`),
              h('p', `count: ${count.items.value.join(',')} ${count.status.value}`),
              h('p', `messages: ${messages.value.join('|')}`),
              h('button', { onClick: () => void add.invoke(1, 2) }, 'add'),
            ]);
        },
      });
      const wrapper = render(
        defineComponent({ setup: () => () => [h(Chat), h(status(hub, 'a')), h(status(hub, 'b'))] }),
      );
      await shows(wrapper, 'state: connected');
      await shows(wrapper, 'count: 0,1,2 complete');
      const id = hub.connection.state.connectionId!;
      expect(wrapper.text()).toContain(`a: connected ${id}`);
      expect(wrapper.text()).toContain(`b: connected ${id}`);
      expect(server.stats.negotiates).toBe(1);
      expect(server.stats.connections).toBe(1);
      expect(server.mock.connections).toHaveLength(1);
      expect(received(MessageType.StreamInvocation)).toHaveLength(1);
      expect(received(MessageType.CancelInvocation)).toHaveLength(0);

      await wrapper.get('button').trigger('click');
      await shows(wrapper, 'sum: 3');
      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await shows(wrapper, 'messages: ann: hi');
      await expect(server.mock.hub('/chat').clients.client(id).invoke('Confirm', 'ok?')).resolves.toBe(true);
      expect(wrapper.text()).toContain(`url: ${server.url}`);
      expect(server.stats.negotiates).toBe(1);
    });

    it('two components share one connection; unmounted, it stops after the grace period; back within it, same connectionId', async () => {
      const { hub, clock } = chatHub();
      const shown = reactive({ a: true, b: true });
      const A = status(hub, 'a');
      const B = status(hub, 'b');
      const wrapper = render(
        defineComponent({ setup: () => () => [shown.a ? h(A) : null, shown.b ? h(B) : null] }),
      );
      const id = await connectedId(hub);
      await shows(wrapper, `a: connected ${id}`);
      await shows(wrapper, `b: connected ${id}`);
      expect(server.stats.connections).toBe(1);

      shown.a = shown.b = false;
      await nextTick();
      expect(hub.consumers).toBe(0);
      clock.advance(1999);
      shown.a = true;
      await nextTick();
      expect(wrapper.text()).toBe(`a: connected ${id}`);
      clock.advance(5000); // past the grace period (and short of keep-alive and server timeouts)
      expect(await hub.connection.invoke('ConnectionId')).toBe(id);
      expect(server.stats.negotiates).toBe(1);

      shown.a = false;
      await nextTick();
      clock.advance(1999);
      expect(server.mock.connections).toHaveLength(1);
      clock.advance(1);
      await vi.waitFor(() => expect(server.mock.connections).toHaveLength(0), wait);
      expect(hub.connection.state.status).toBe('disconnected');
    });

    it('after unmount: server events run no handler, the running stream is cancelled, client results get "no handler"', async () => {
      const { hub } = chatHub();
      const onMessage = vi.fn();
      const Consumer = defineComponent({
        setup() {
          useHubEvent(hub, 'Message', onMessage);
          useHubHandler(hub, 'Confirm', () => true);
          const { items } = useHubStream(hub, 'Ticks', ['t', 20]);
          return () => h('p', `ticks: ${items.value.length}`);
        },
      });
      // The status keeps the connection open after Consumer unmounts.
      const shown = ref(true);
      const Status = status(hub);
      const wrapper = render(
        defineComponent({ setup: () => () => [shown.value ? h(Consumer) : null, h(Status)] }),
      );
      const id = await connectedId(hub);
      await shows(wrapper, /ticks: ([2-9]|\d{2,})(?!\d)/);
      const clients = server.mock.hub('/chat').clients;
      clients.all.send('Message', 'ann', 'before');
      await vi.waitFor(() => expect(onMessage).toHaveBeenCalledWith('ann', 'before'), wait);
      await expect(clients.client(id).invoke('Confirm', 'sure?')).resolves.toBe(true);
      const [stream] = received(MessageType.StreamInvocation);

      shown.value = false;
      await nextTick();
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      expect(received(MessageType.CancelInvocation)).toEqual([
        { type: MessageType.CancelInvocation, invocationId: stream!.invocationId },
      ]);
      await expect(clients.client(id).invoke('Confirm', 'still there?')).rejects.toThrow(
        "Client didn't provide a result.",
      );
      clients.all.send('Message', 'ann', 'after');
      // A round trip on the same connection: the event arrived before the result.
      expect(await hub.connection.invoke('Echo', 'sync')).toBe('sync');
      expect(onMessage).toHaveBeenCalledTimes(1);
      expect(hub.connection.state.connectionId).toBe(id);
    });

    it('useHubStream: a changed args ref cancels the old stream and starts the new one; an equal value does not', async () => {
      const { hub } = chatHub();
      const label = ref('a');
      const interval = ref(20);
      const Ticks = defineComponent({
        setup() {
          // A ref inside the list, and a getter.
          const { items, latest } = useHubStream(hub, 'Ticks', [label, () => interval.value], { keep: 3 });
          return () => h('p', `${items.value.length} ${latest.value ?? ''}`);
        },
      });
      const wrapper = render(Ticks);
      await shows(wrapper, /^3 a\d+$/);
      label.value = 'a'; // the same value
      interval.value = 20;
      await nextTick();
      expect(received(MessageType.StreamInvocation)).toHaveLength(1);
      const [first] = received(MessageType.StreamInvocation);

      label.value = 'b';
      await nextTick();
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      await shows(wrapper, /^\d b\d+$/);
      expect(received(MessageType.CancelInvocation)).toEqual([
        { type: MessageType.CancelInvocation, invocationId: first!.invocationId },
      ]);
      const invocations = received(MessageType.StreamInvocation);
      expect(invocations).toHaveLength(2);
      expect(invocations[1]).toMatchObject({ target: 'Ticks', arguments: ['b', 20] });
    });

    it('useHubStream: args as a computed list, and a reactive object changed in place, restart the stream', async () => {
      const { hub } = chatHub();
      const filter = reactive({ label: 'x', interval: 20 });
      const args = computed(() => [filter.label, filter.interval] as const);
      const Ticks = defineComponent({
        setup() {
          const { latest } = useHubStream(hub, 'Ticks', args);
          return () => h('p', `latest ${latest.value ?? ''}`);
        },
      });
      const wrapper = render(Ticks);
      await shows(wrapper, /^latest x\d+$/);
      filter.label = 'y';
      await shows(wrapper, /^latest y\d+$/);
      expect(received(MessageType.StreamInvocation).map((m) => m.arguments)).toEqual([
        ['x', 20],
        ['y', 20],
      ]);
      expect(received(MessageType.CancelInvocation)).toHaveLength(1);
    });

    it('useHubStream: after a forced drop and reconnect the stream is called again on the new connection', async () => {
      const { hub } = chatHub();
      /** Every item the component saw, in order. */
      const seen: string[] = [];
      const Ticks = defineComponent({
        setup() {
          const { latest, status } = useHubStream(hub, 'Ticks', ['x', 20]);
          watch(latest, (item) => void seen.push(item!), { flush: 'sync' });
          return () => h('p', `${status.value} ${latest.value ?? ''}`);
        },
      });
      const wrapper = render(Ticks);
      const first = await connectedId(hub);
      await vi.waitFor(() => expect(seen.length).toBeGreaterThan(2), wait);
      server.mock.connection(first)!.drop();
      await vi.waitFor(() => {
        const { status, connectionId } = hub.connection.state;
        expect(status === 'connected' && connectionId !== first).toBe(true);
      }, wait);
      const second = hub.connection.state.connectionId!;
      await server.mock.waitForMessage({
        direction: 'received',
        type: MessageType.StreamInvocation,
        connectionId: second,
      });
      // The stream called again: its items start over, and show.
      await vi.waitFor(() => expect(seen.lastIndexOf('x1')).toBeGreaterThan(seen.indexOf('x1')), wait);
      await shows(wrapper, /^streaming x\d+$/);
      expect(server.stats.connections).toBe(2);
    });

    it('useHubStream: enabled false runs nothing and shows idle; enabling starts it; keep bounds the items', async () => {
      const { hub } = chatHub();
      const enabled = ref(false);
      const Count = defineComponent({
        setup() {
          useHub(hub);
          const { items, status } = useHubStream(hub, 'Count', [4], { enabled, keep: 2 });
          return () => h('p', `${status.value} ${items.value.join(',')}`);
        },
      });
      const wrapper = render(Count);
      await connectedId(hub);
      expect(wrapper.text()).toBe('idle');
      expect(received(MessageType.StreamInvocation)).toHaveLength(0);
      enabled.value = true;
      await shows(wrapper, 'complete 2,3');
    });

    it('useHubInvoke: pending, data, error, reset; nothing changes after unmount', async () => {
      const { hub } = chatHub();
      let api!: ReturnType<typeof useHubInvoke<ChatServer, ChatClient, 'Delayed'>>;
      const Caller = defineComponent({
        setup() {
          api = useHubInvoke(hub, 'Delayed');
          const { status, pending, data, error } = api;
          return () =>
            h(
              'p',
              `${status.value} ${String(pending.value)} ${data.value ?? ''} ${error.value?.message ?? ''}`,
            );
        },
      });
      const wrapper = render(Caller);
      expect(wrapper.text()).toBe('idle false');
      const result = api.invoke(30, 'done');
      await nextTick();
      expect(wrapper.text()).toBe('pending true');
      await expect(result).resolves.toBe('done');
      await shows(wrapper, 'success false done');
      api.reset();
      await nextTick();
      expect(wrapper.text()).toBe('idle false');

      // A call under way when the component unmounts: its Promise resolves, and the refs no longer change.
      const late = api.invoke(30, 'late');
      wrapper.unmount();
      wrappers.splice(0);
      await expect(late).resolves.toBe('late');
      await flushPromises();
      expect(api.status.value).toBe('pending');
    });

    it("useHubInvoke: the server's error shows in `error` and rejects the Promise", async () => {
      const { hub } = chatHub();
      let failure: unknown;
      const Failing = defineComponent({
        setup() {
          const { invoke, error, status } = useHubInvoke(hub, 'Fail');
          const click = () => invoke('no way').catch((e: unknown) => (failure = e));
          return () => h('button', { onClick: click }, `${status.value} ${error.value?.message ?? ''}`);
        },
      });
      const wrapper = render(Failing);
      await wrapper.get('button').trigger('click');
      await shows(wrapper, /^error .*no way/);
      expect(failure).toMatchObject({ name: 'HubError' });
    });

    it('a hub whose start failed is started again by the next component that mounts', async () => {
      const { hub } = chatHub({ reconnect: noReconnect() });
      server.mock.faults.failNegotiate(1, { status: 503 });
      const second = ref(false);
      const First = status(hub, 'first');
      const Second = status(hub, 'second');
      const wrapper = render(
        defineComponent({ setup: () => () => [h(First), second.value ? h(Second) : null] }),
      );
      await vi.waitFor(() => expect(hub.connection.state.lastError).not.toBeNull(), wait);
      await nextTick();
      expect(wrapper.text()).toBe('first: disconnected');
      second.value = true;
      await connectedId(hub);
      expect(server.stats.negotiates).toBe(2);
      expect(server.stats.connections).toBe(1);
    });

    it("useHubState re-renders only that hub's consumers", async () => {
      const a = chatHub().hub;
      const b = chatHub().hub;
      const renders = { a: 0, b: 0 };
      const only = (hub: Chat, name: 'a' | 'b') =>
        defineComponent({
          setup() {
            const state = useHubState(hub);
            return () => {
              renders[name]++;
              return h('p', `${name} ${state.value.status}`);
            };
          },
        });
      const A = only(a, 'a');
      const B = only(b, 'b');
      const wrapper = render(defineComponent({ setup: () => () => [h(A), h(B)] }));
      await connectedId(a);
      await connectedId(b);
      await shows(wrapper, 'b connected');
      const before = { ...renders };
      await a.connection.stop();
      await shows(wrapper, 'a disconnected');
      expect(renders.b).toBe(before.b);
      expect(renders.a).toBeGreaterThan(before.a);
    });

    it('an effectScope stopped releases everything it retained: handlers, client results, streams, the connection', async () => {
      const { hub, clock } = chatHub();
      const onMessage = vi.fn();
      const scope = effectScope();
      const { state, ticks } = scope.run(() => {
        useHub(hub);
        useHubEvent(hub, 'Message', onMessage);
        useHubHandler(hub, 'Confirm', () => true);
        return { state: useHubState(hub), ticks: useHubStream(hub, 'Ticks', ['s', 20]) };
      })!;
      await vi.waitFor(() => expect(ticks.items.value.length).toBeGreaterThan(1), wait);
      expect(state.value.status).toBe('connected');
      expect(hub.consumers).toBeGreaterThan(0);
      const id = state.value.connectionId!;
      const clients = server.mock.hub('/chat').clients;
      await expect(clients.client(id).invoke('Confirm', 'sure?')).resolves.toBe(true);

      scope.stop();
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      await vi.waitFor(() => expect(hub.consumers).toBe(0), wait);
      await expect(clients.client(id).invoke('Confirm', 'still there?')).rejects.toThrow(
        "Client didn't provide a result.",
      );
      clients.all.send('Message', 'ann', 'after');
      expect(await hub.connection.invoke('Echo', 'sync')).toBe('sync');
      expect(onMessage).not.toHaveBeenCalled();
      clock.advance(2000);
      await vi.waitFor(() => expect(server.mock.connections).toHaveLength(0), wait);
      expect(server.stats.connections).toBe(1);
    });

    it('outside any effect scope every composable warns (in development) and retains nothing', async () => {
      const { hub } = chatHub();
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const connection = useHub(hub);
      const state = useHubState(hub);
      useHubEvent(hub, 'Message', () => {});
      useHubHandler(hub, 'Confirm', () => true);
      const add = useHubInvoke(hub, 'Add');
      const stream = useHubStream(hub, 'Count', [2]);
      const warnings = warn.mock.calls.map((call) => String(call[0]));
      warn.mockRestore();
      expect(warnings).toHaveLength(6);
      for (const name of [
        'useHub',
        'useHubState',
        'useHubEvent',
        'useHubHandler',
        'useHubInvoke',
        'useHubStream',
      ]) {
        expect(warnings.some((w) => w.includes(`${name}() was called outside setup()`))).toBe(true);
      }
      expect(connection).toBe(hub.connection);
      expect(hub.consumers).toBe(0);
      expect(state.value.status).toBe('disconnected');
      expect(stream.status.value).toBe('idle');
      expect(add.status.value).toBe('idle');
      await flushPromises();
      expect(server.stats.requests).toBe(0);
      // invoke still works: it holds the hub only until its result.
      await expect(add.invoke(2, 3)).resolves.toBe(5);
      expect(hub.consumers).toBe(0);
    });
  });
}
