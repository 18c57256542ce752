// The composables in a Pinia setup store (pinia-port.test.ts, pinia-msw.test.ts): the store is the consumer, so the
// connection lives while the store does, whatever components come and go; `store.$dispose()` releases it.

import { mount } from '@vue/test-utils';
import { createPinia, defineStore, setActivePinia, type Pinia } from 'pinia';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, defineComponent, h, nextTick, ref, version } from 'vue';
import { createHub, fixedDelays, MessageType, type SharedHub } from '@hubrx/core';
import { useHubEvent, useHubHandler, useHubInvoke, useHubState, useHubStream } from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { TestClock } from '../../test/support/bindings/clock.js';
import { startServer, type Mode, type TestServer } from '../../test/support/bindings/servers.js';

type Chat = SharedHub<ChatServer, ChatClient>;

const wait = { timeout: 5000 };
let stores = 0;

/** A chat store over `hub`, as an app would write it. */
function chatStore(hub: Chat) {
  return defineStore(`chat-${++stores}`, () => {
    const state = useHubState(hub);
    const messages = ref<string[]>([]);
    useHubEvent(hub, 'Message', (user, text) => messages.value.push(`${user}: ${text}`));
    useHubHandler(hub, 'Confirm', (question) => question === 'ok?');
    const { invoke: add, data: sum, pending } = useHubInvoke(hub, 'Add');
    const room = ref('r');
    const { latest: tick } = useHubStream(hub, 'Ticks', [room, 20]);
    return { state, messages, add, sum, pending, room, tick };
  });
}

export function piniaSuite(mode: Mode): void {
  let server: TestServer;
  const hubs: Chat[] = [];

  beforeAll(async () => {
    server = await startServer(mode);
  });
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((hub) => hub.connection.stop()));
    server.reset();
  });
  afterAll(() => server.close());

  function chatHub(): { hub: Chat; clock: TestClock } {
    const clock = new TestClock();
    const hub = createHub<ChatServer, ChatClient>({
      ...server.client,
      url: server.url,
      clock,
      reconnect: fixedDelays([0, 0, 0]),
    });
    hubs.push(hub);
    return { hub, clock };
  }

  const received = (type: MessageType) =>
    server.mock.log.filter((entry) => entry.direction === 'received' && entry.message.type === type);

  describe(`@hubrx/vue in a Pinia setup store (Vue ${version}), mock server ${mode === 'port' ? 'on a port' : 'in msw mode'}`, () => {
    it('the connection lives while the store does, across components; $dispose() releases everything', async () => {
      const { hub, clock } = chatHub();
      const useChat = chatStore(hub);
      const pinia = createPinia();
      const View = defineComponent({
        setup() {
          const chat = useChat();
          return () => h('p', `${chat.state.status} ${chat.tick ?? ''} ${chat.messages.join('|')}`);
        },
      });
      const first = mount(View, { global: { plugins: [pinia] } });
      await vi.waitFor(() => expect(first.text()).toMatch(/^connected r\d+$/), wait);
      const chat = useChat(pinia);
      const id = chat.state.connectionId!;

      // Every composable works through the store.
      await expect(chat.add(2, 3)).resolves.toBe(5);
      expect(chat.sum).toBe(5);
      expect(chat.pending).toBe(false);
      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await vi.waitFor(() => expect(first.text()).toContain('ann: hi'), wait);
      const clients = server.mock.hub('/chat').clients;
      await expect(clients.client(id).invoke('Confirm', 'ok?')).resolves.toBe(true);
      chat.room = 's';
      await vi.waitFor(() => expect(chat.tick).toMatch(/^s\d+$/), wait);
      expect(received(MessageType.CancelInvocation)).toHaveLength(1);

      // The composables' refs are getters to Pinia: not state, so not serialized for SSR nor overwritten on hydration.
      expect(Object.keys(pinia.state.value[useChat.$id]!).sort()).toEqual(['messages', 'room']);

      // The component goes; the store keeps the connection well past the grace period.
      first.unmount();
      clock.advance(10_000);
      await nextTick();
      expect(hub.connection.state).toMatchObject({ status: 'connected', connectionId: id });
      const second = mount(View, { global: { plugins: [pinia] } });
      expect(second.text()).toContain(`connected s`);
      second.unmount();
      expect(server.stats.connections).toBe(1);

      const streams = received(MessageType.StreamInvocation).length;
      chat.$dispose();
      await server.mock.waitForMessage({
        direction: 'received',
        type: MessageType.CancelInvocation,
        invocationId: (
          received(MessageType.StreamInvocation)[streams - 1]!.message as { invocationId: string }
        ).invocationId,
      });
      await vi.waitFor(() => expect(hub.consumers).toBe(0), wait);
      await expect(clients.client(id).invoke('Confirm', 'ok?')).rejects.toThrow(
        "Client didn't provide a result.",
      );
      clock.advance(2000);
      await vi.waitFor(() => expect(server.mock.connections).toHaveLength(0), wait);
      expect(server.stats.negotiates).toBe(1);
    });

    it('a store used outside components (setActivePinia) is a consumer too, until $dispose()', async () => {
      const { hub, clock } = chatHub();
      const useChat = chatStore(hub);
      const pinia: Pinia = createPinia();
      // Installed in an app (never mounted), as in a router guard or a service module.
      createApp({ render: () => null }).use(pinia);
      setActivePinia(pinia);
      const chat = useChat();
      await vi.waitFor(() => expect(chat.state.status).toBe('connected'), wait);
      await vi.waitFor(() => expect(chat.tick).toMatch(/^r\d+$/), wait);
      expect(server.stats.connections).toBe(1);
      chat.$dispose();
      await vi.waitFor(() => expect(hub.consumers).toBe(0), wait);
      expect(received(MessageType.CancelInvocation)).toHaveLength(1);
      clock.advance(2000);
      await vi.waitFor(() => expect(server.mock.connections).toHaveLength(0), wait);
    });
  });
}
