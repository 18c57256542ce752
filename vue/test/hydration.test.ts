// Hydration, in jsdom: the server's HTML (rendered by the same components) is hydrated without a mismatch, since
// the composables first render what the server rendered (disconnected, idle) and the live values once mounted;
// then the app connects and streams as usual.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createHub, fixedDelays, type SharedHub } from '@hubrx/core';
import { useHubInvoke, useHubState, useHubStream } from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { startServer, type TestServer } from '../../test/support/bindings/servers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer('port');
});
afterAll(() => server.close());

type Chat = SharedHub<ChatServer, ChatClient>;

function app(hub: Chat) {
  const Feed = defineComponent({
    setup() {
      const state = useHubState(hub);
      const add = useHubInvoke(hub, 'Add');
      const count = useHubStream(hub, 'Count', [3]);
      return () =>
        h(
          'p',
          `${state.value.status} ${add.status.value} ${count.status.value} ${count.items.value.join(',')}`,
        );
    },
  });
  return createSSRApp({ render: () => h('main', [h(Feed)]) });
}

describe('hydration', () => {
  it('hydrates the server HTML without a mismatch, then connects and streams', async () => {
    const hub = createHub<ChatServer, ChatClient>({
      ...server.client,
      url: server.url,
      reconnect: fixedDelays([0]),
    });
    const html = await renderToString(app(hub));
    expect(html).toBe('<main><p>disconnected idle idle </p></main>');
    expect(server.stats.requests).toBe(0);

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const client = app(hub);
    client.mount(container);
    const messages = [...warn.mock.calls, ...error.mock.calls].map((call) => call.map(String).join(' '));
    warn.mockRestore();
    error.mockRestore();
    expect(messages).toEqual([]);

    await vi.waitFor(() => expect(container.textContent).toBe('connected idle complete 0,1,2'), {
      timeout: 5000,
    });
    expect(server.stats.connections).toBe(1);
    client.unmount();
    await hub.connection.stop();
  });
});
