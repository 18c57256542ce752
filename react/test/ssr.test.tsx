// @vitest-environment node
// Server rendering, in Node as a server renders (no DOM): the same tree as the client tests, rendered with
// renderToString and renderToReadableStream, makes no HTTP request and opens nothing.

import { StrictMode, Suspense } from 'react';
import { renderToReadableStream, renderToString } from 'react-dom/server.browser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHub, type SharedHub } from '@hubrx/core';
import {
  ServerRenderError,
  useHub,
  useHubEvent,
  useHubHandler,
  useHubInvoke,
  useHubState,
  useHubStream,
  useSuspenseHub,
} from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { startServer, type TestServer } from '../../test/support/bindings/servers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer('port');
});
afterAll(() => server.close());

type Chat = SharedHub<ChatServer, ChatClient>;

function App({ hub }: { hub: Chat }) {
  return (
    <StrictMode>
      <Chat hub={hub} />
      <Suspense fallback={<p>joining…</p>}>
        <Room hub={hub} />
      </Suspense>
    </StrictMode>
  );
}

function Chat({ hub }: { hub: Chat }) {
  const { status } = useHubState(hub);
  const connection = useHub(hub);
  useHubEvent(hub, 'Message', () => {});
  useHubHandler(hub, 'Confirm', () => true);
  const add = useHubInvoke(hub, 'Add');
  const ticks = useHubStream(hub, 'Ticks', ['t', 10]);
  return <p>{`${status} ${connection.url} ${add.status} ${ticks.status} ${ticks.items.length}`}</p>;
}

function Room({ hub }: { hub: Chat }) {
  useSuspenseHub(hub);
  return <p>in the room</p>;
}

describe('server rendering', () => {
  it('renderToString and renderToReadableStream make no HTTP request and open nothing', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    const hub = createHub<ChatServer, ChatClient>({ ...server.client, url: server.url });
    const relative = createHub<ChatServer, ChatClient>({ url: '/chat' });
    const errors: unknown[] = [];

    // The same tree both ways.
    const html = renderToString(<App hub={hub} />);
    expect(html).toContain(`disconnected ${server.url} idle idle 0`);
    expect(html).toContain('joining…');
    const stream = await renderToReadableStream(<App hub={hub} />, { onError: (e) => void errors.push(e) });
    await stream.allReady;
    const streamed = await new Response(stream).text();
    expect(streamed).toContain(`disconnected ${server.url} idle idle 0`);
    expect(streamed).toContain('joining…');
    // useSuspenseHub's boundary is left to the client.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ServerRenderError);

    // A relative URL needs a page: on the server the connection keeps it as given and is never started.
    expect(renderToString(<App hub={relative} />)).toContain('disconnected /chat');

    // Let anything that might have been started get as far as the network.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetch).not.toHaveBeenCalled();
    expect(server.stats).toEqual({ requests: 0, negotiates: 0, connections: 0 });
    expect(server.mock.connections).toHaveLength(0);
    for (const each of [hub, relative]) {
      expect(each.consumers).toBe(0);
      expect(each.connection.state.status).toBe('disconnected');
    }
    fetch.mockRestore();
  });
});
