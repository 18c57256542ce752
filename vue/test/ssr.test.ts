// @vitest-environment node
// Server rendering, in Node as a server renders (no DOM): components using every composable, rendered with
// renderToString, make no HTTP request, open nothing and retain nothing (Vue never disposes a server render's
// effect scopes, so anything retained there would leak a connection per request).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createHub, type SharedHub } from '@hubrx/core';
import { useHub, useHubEvent, useHubHandler, useHubInvoke, useHubState, useHubStream } from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { startServer, type TestServer } from '../../test/support/bindings/servers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer('port');
});
afterAll(() => server.close());

type Chat = SharedHub<ChatServer, ChatClient>;

/** Every composable, as the client tests use them. */
export function chatApp(hub: Chat) {
  const Chat = defineComponent({
    setup() {
      const state = useHubState(hub);
      const connection = useHub(hub);
      useHubEvent(hub, 'Message', () => {});
      useHubHandler(hub, 'Confirm', () => true);
      const add = useHubInvoke(hub, 'Add');
      const ticks = useHubStream(hub, 'Ticks', ['t', 10]);
      return () =>
        h(
          'p',
          `${state.value.status} ${connection.url} ${add.status.value} ${ticks.status.value} ${ticks.items.value.length}`,
        );
    },
  });
  return createSSRApp({ render: () => h('main', [h(Chat), h(Chat)]) });
}

describe('server rendering', () => {
  it('renderToString makes no HTTP request, opens nothing and retains nothing', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    const warn = vi.spyOn(console, 'warn');
    const hub = createHub<ChatServer, ChatClient>({ ...server.client, url: server.url });
    const relative = createHub<ChatServer, ChatClient>({ url: '/chat' });

    const html = await renderToString(chatApp(hub));
    expect(html).toBe(
      `<main><p>disconnected ${server.url} idle idle 0</p><p>disconnected ${server.url} idle idle 0</p></main>`,
    );
    // A relative URL needs a page: on the server the connection keeps it as given and is never started.
    expect(await renderToString(chatApp(relative))).toContain('disconnected /chat');

    // Let anything that might have been started get as far as the network.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetch).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(server.stats).toEqual({ requests: 0, negotiates: 0, connections: 0 });
    expect(server.mock.connections).toHaveLength(0);
    for (const each of [hub, relative]) {
      expect(each.consumers).toBe(0);
      expect(each.connection.state.status).toBe('disconnected');
    }
    fetch.mockRestore();
    warn.mockRestore();
  });
});
