// @vitest-environment node
// A Pinia setup store using the composables, rendered on the server: nothing connects (a server render's stores are
// never disposed), and the state Pinia serializes for hydration holds none of the composables' refs.

import { createPinia, defineStore } from 'pinia';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h, ref } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createHub } from '@hubrx/core';
import { useHubEvent, useHubInvoke, useHubState, useHubStream } from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { startServer, type TestServer } from '../../test/support/bindings/servers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer('port');
});
afterAll(() => server.close());

describe('a Pinia setup store on the server', () => {
  it('renders without connecting, and Pinia serializes only its own state', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    const hub = createHub<ChatServer, ChatClient>({ ...server.client, url: server.url });
    const useChat = defineStore('chat', () => {
      const state = useHubState(hub);
      const messages = ref<string[]>([]);
      useHubEvent(hub, 'Message', (user, text) => messages.value.push(`${user}: ${text}`));
      const { invoke: send, pending } = useHubInvoke(hub, 'Send');
      const { items: history } = useHubStream(hub, 'Count', [3]);
      return { state, messages, send, pending, history };
    });
    const pinia = createPinia();
    const app = createSSRApp(
      defineComponent({
        setup() {
          const chat = useChat();
          return () => h('p', `${chat.state.status} ${String(chat.pending)} ${chat.history.length}`);
        },
      }),
    ).use(pinia);

    expect(await renderToString(app)).toBe('<p>disconnected false 0</p>');
    expect(JSON.stringify(pinia.state.value)).toBe('{"chat":{"messages":[]}}');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetch).not.toHaveBeenCalled();
    expect(server.stats).toEqual({ requests: 0, negotiates: 0, connections: 0 });
    expect(hub.consumers).toBe(0);
    fetch.mockRestore();
  });
});
