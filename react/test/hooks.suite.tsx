// The hooks against a real SignalR hub server: the mock server on a port (port.test.tsx) or as msw handlers
// (msw.test.tsx), in jsdom, with React 19 (project `react`) and React 18.3 (project `react-18`). Server-side facts
// (negotiates, connections, CancelInvocations, client-result errors) are counted by the server.

import { act, cleanup, configure, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Component, StrictMode, Suspense, useState, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createHub,
  fixedDelays,
  MessageType,
  noReconnect,
  type HubMessage,
  type ReconnectPolicy,
  type SharedHub,
} from '@hubrx/core';
import {
  useHub,
  useHubEvent,
  useHubHandler,
  useHubInvoke,
  useHubState,
  useHubStream,
  useSuspenseHub,
} from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { TestClock } from '../../test/support/bindings/clock.js';
import { startServer, type Mode, type TestServer } from '../../test/support/bindings/servers.js';

type Chat = SharedHub<ChatServer, ChatClient>;

// Real servers and sockets: leave room for a busy CI machine (findBy*/waitFor give up after this).
configure({ asyncUtilTimeout: 5000 });

export function hookSuite(mode: Mode): void {
  let server: TestServer;
  const hubs: Chat[] = [];

  beforeAll(async () => {
    server = await startServer(mode);
  });
  afterEach(async () => {
    cleanup();
    await Promise.all(hubs.splice(0).map((hub) => hub.connection.stop()));
    server.reset();
  });
  afterAll(() => server.close());

  function chatHub(options: { reconnect?: ReconnectPolicy; url?: string } = {}): {
    hub: Chat;
    clock: TestClock;
  } {
    const clock = new TestClock();
    const hub = createHub<ChatServer, ChatClient>({
      ...server.client,
      url: options.url ?? server.url,
      clock,
      reconnect: options.reconnect ?? fixedDelays([0, 0, 0]),
    });
    hubs.push(hub);
    return { hub, clock };
  }

  /** Messages the server received of one type, oldest first. */
  function received<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return server.mock.log
      .filter((entry) => entry.direction === 'received' && entry.message.type === type)
      .map((entry) => entry.message as Extract<HubMessage, { type: T }>);
  }

  async function connectedId(hub: Chat): Promise<string> {
    await waitFor(() => expect(hub.connection.state.status).toBe('connected'));
    return hub.connection.state.connectionId!;
  }

  function Status({ hub, name = 'status' }: { hub: Chat; name?: string }) {
    const { status, connectionId } = useHubState(hub);
    return (
      <p data-testid={name}>
        {status} {connectionId}
      </p>
    );
  }

  describe(`@hubrx/react hooks, mock server ${mode === 'port' ? 'on a port' : 'in msw mode'}`, () => {
    it('under <StrictMode> a tree using every hook opens exactly one connection, and each hook works', async () => {
      const { hub } = chatHub();
      function Chat() {
        const { status } = useHubState(hub);
        const connection = useHub(hub);
        const [messages, setMessages] = useState<string[]>([]);
        useHubEvent(hub, 'Message', (user, text) => setMessages((list) => [...list, `${user}: ${text}`]));
        useHubHandler(hub, 'Confirm', (question) => question === 'ok?');
        const add = useHubInvoke(hub, 'Add');
        const count = useHubStream(hub, 'Count', [3]);
        return (
          <div>
            <p>status: {status}</p>
            <p>url: {connection.url}</p>
            <p>sum: {String(add.data)}</p>
            <p>
              count: {count.items.join(',')} {count.status}
            </p>
            <p>messages: {messages.join('|')}</p>
            <button onClick={() => void add.invoke(1, 2)}>add</button>
          </div>
        );
      }
      render(
        <StrictMode>
          <Chat />
          <Status hub={hub} />
        </StrictMode>,
      );
      await screen.findByText('status: connected');
      await screen.findByText('count: 0,1,2 complete');
      expect(server.stats.negotiates).toBe(1);
      expect(server.stats.connections).toBe(1);
      expect(server.mock.connections).toHaveLength(1);
      expect(received(MessageType.StreamInvocation)).toHaveLength(1);
      expect(received(MessageType.CancelInvocation)).toHaveLength(0);

      fireEvent.click(screen.getByText('add'));
      await screen.findByText('sum: 3');
      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await screen.findByText('messages: ann: hi');
      const id = hub.connection.state.connectionId!;
      await expect(server.mock.hub('/chat').clients.client(id).invoke('Confirm', 'ok?')).resolves.toBe(true);
      expect(screen.getByText(`url: ${server.url}`)).toBeTruthy();
      expect(server.stats.negotiates).toBe(1);
    });

    it('two components share one connection; unmounted, it stops after the grace period; back within it, same connectionId', async () => {
      const { hub, clock } = chatHub();
      const view = render(
        <>
          <Status hub={hub} name="a" />
          <Status hub={hub} name="b" />
        </>,
      );
      const id = await connectedId(hub);
      await waitFor(() => expect(screen.getByTestId('b').textContent).toBe(`connected ${id}`));
      expect(screen.getByTestId('a').textContent).toBe(`connected ${id}`);
      expect(server.stats.connections).toBe(1);

      view.rerender(<></>);
      expect(hub.consumers).toBe(0);
      act(() => clock.advance(1999));
      view.rerender(<Status hub={hub} name="a" />);
      expect(screen.getByTestId('a').textContent).toBe(`connected ${id}`);
      act(() => clock.advance(5000)); // past the grace period (and short of keep-alive and server timeouts)
      expect(await hub.connection.invoke('ConnectionId')).toBe(id);
      expect(server.stats.negotiates).toBe(1);

      view.rerender(<></>);
      act(() => clock.advance(1999));
      expect(server.mock.connections).toHaveLength(1);
      act(() => clock.advance(1));
      await waitFor(() => expect(server.mock.connections).toHaveLength(0));
      expect(hub.connection.state.status).toBe('disconnected');
    });

    it('after unmount: server events run no handler, the running stream is cancelled, client results get "no handler"', async () => {
      const { hub } = chatHub();
      const onMessage = vi.fn();
      function Consumer() {
        useHubEvent(hub, 'Message', onMessage);
        useHubHandler(hub, 'Confirm', () => true);
        const { items } = useHubStream(hub, 'Ticks', ['t', 20]);
        return <p>ticks: {items.length}</p>;
      }
      // Status keeps the connection open after Consumer unmounts.
      const view = render(
        <>
          <Consumer />
          <Status hub={hub} />
        </>,
      );
      const id = await connectedId(hub);
      await screen.findByText('ticks: 2');
      const clients = server.mock.hub('/chat').clients;
      clients.all.send('Message', 'ann', 'before');
      await waitFor(() => expect(onMessage).toHaveBeenCalledWith('ann', 'before'));
      await expect(clients.client(id).invoke('Confirm', 'sure?')).resolves.toBe(true);
      const [stream] = received(MessageType.StreamInvocation);

      view.rerender(<Status hub={hub} />);
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

    it('a handler that changes on every render registers once, and the latest one runs', async () => {
      const { hub } = chatHub();
      const on = vi.spyOn(hub.connection, 'on');
      const calls: string[] = [];
      function Listener({ version }: { version: number }) {
        useHubEvent(hub, 'Message', (user) => calls.push(`${user}@${version}`));
        return <p>version {version}</p>;
      }
      const view = render(<Listener version={0} />);
      for (let version = 1; version <= 5; version++) view.rerender(<Listener version={version} />);
      await connectedId(hub);
      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await waitFor(() => expect(calls).toEqual(['ann@5']));
      expect(on).toHaveBeenCalledTimes(1);
    });

    it('useHubStream: new args (by value) cancel the old stream and start the new one; equal args do not', async () => {
      const { hub } = chatHub();
      function Ticks({ label }: { label: string }) {
        const { items, latest } = useHubStream(hub, 'Ticks', [label, 20], { keep: 3 });
        return (
          <p>
            {items.length} {latest}
          </p>
        );
      }
      const view = render(<Ticks label="a" />);
      await screen.findByText(/^3 a\d+$/);
      view.rerender(<Ticks label="a" />);
      expect(received(MessageType.StreamInvocation)).toHaveLength(1);
      const [first] = received(MessageType.StreamInvocation);
      view.rerender(<Ticks label="b" />);
      await screen.findByText(/^\d b\d+$/);
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      expect(received(MessageType.CancelInvocation)).toEqual([
        { type: MessageType.CancelInvocation, invocationId: first!.invocationId },
      ]);
      const invocations = received(MessageType.StreamInvocation);
      expect(invocations).toHaveLength(2);
      expect(invocations[1]).toMatchObject({ target: 'Ticks', arguments: ['b', 20] });
    });

    it('useHubStream: after a forced drop and reconnect the stream is called again on the new connection', async () => {
      const { hub } = chatHub();
      function Ticks() {
        const { latest, status } = useHubStream(hub, 'Ticks', ['x', 20]);
        return (
          <p>
            {status} {latest}
          </p>
        );
      }
      render(<Ticks />);
      const first = await connectedId(hub);
      await screen.findByText('streaming x2');
      server.mock.connection(first)!.drop();
      await waitFor(() => {
        const { status, connectionId } = hub.connection.state;
        expect(status === 'connected' && connectionId !== first).toBe(true);
      });
      const second = hub.connection.state.connectionId!;
      await server.mock.waitForMessage({
        direction: 'received',
        type: MessageType.StreamInvocation,
        connectionId: second,
      });
      await screen.findByText('streaming x3');
      expect(server.stats.connections).toBe(2);
    });

    it('useHubStream and useHubInvoke follow a change of hub: the old stream is cancelled, the new hub used', async () => {
      const first = chatHub().hub;
      const second = chatHub().hub;
      function Feed({ hub }: { hub: Chat }) {
        const { latest } = useHubStream(hub, 'Ticks', ['h', 20]);
        const { invoke, data } = useHubInvoke(hub, 'ConnectionId');
        return (
          <>
            <p>latest {latest}</p>
            <button onClick={() => void invoke()}>whoami</button>
            <p>id {data}</p>
          </>
        );
      }
      const view = render(<Feed hub={first} />);
      const firstId = await connectedId(first);
      await screen.findByText('latest h1');
      view.rerender(<Feed hub={second} />);
      const secondId = await connectedId(second);
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      expect(received(MessageType.CancelInvocation)[0]).toMatchObject({
        invocationId: received(MessageType.StreamInvocation)[0]!.invocationId,
      });
      await waitFor(() =>
        expect(
          server.mock.log.some(
            (e) => e.connectionId === secondId && e.message.type === MessageType.StreamItem,
          ),
        ).toBe(true),
      );
      fireEvent.click(screen.getByText('whoami'));
      await screen.findByText(`id ${secondId}`);
      expect(firstId).not.toBe(secondId);
    });

    it('useHubStream: enabled: false runs nothing and shows idle; enabling starts it', async () => {
      const { hub } = chatHub();
      function Count({ enabled }: { enabled: boolean }) {
        const { items, status } = useHubStream(hub, 'Count', [4], { enabled, keep: 2 });
        return (
          <p>
            {status} {items.join(',')}
          </p>
        );
      }
      const view = render(<Count enabled={false} />);
      await connectedId(hub);
      expect(screen.getByText('idle')).toBeTruthy();
      expect(received(MessageType.StreamInvocation)).toHaveLength(0);
      view.rerender(<Count enabled />);
      await screen.findByText('complete 2,3');
    });

    it('useHubInvoke: pending, data, error, reset; no state update after unmount', async () => {
      const { hub } = chatHub();
      const errors = vi.spyOn(console, 'error');
      let api: ReturnType<typeof useHubInvoke<ChatServer, ChatClient, 'Delayed'>> | undefined;
      function Caller() {
        const call = useHubInvoke(hub, 'Delayed');
        api = call;
        return (
          <p>
            {call.status} {String(call.pending)} {call.data} {call.error?.message}
          </p>
        );
      }
      const view = render(<Caller />);
      screen.getByText('idle false');
      let result!: Promise<string>;
      act(() => {
        result = api!.invoke(30, 'done');
      });
      screen.getByText('pending true');
      await expect(result).resolves.toBe('done');
      await screen.findByText('success false done');
      act(() => api!.reset());
      screen.getByText('idle false');

      // A call under way when the component unmounts: its Promise resolves, and nothing updates the gone component.
      const late = api!.invoke(30, 'late');
      view.unmount();
      await expect(late).resolves.toBe('late');
      expect(errors).not.toHaveBeenCalled();
      errors.mockRestore();
    });

    it("useHubInvoke: the server's error shows in `error` and rejects the Promise", async () => {
      const chat = chatHub().hub;
      function Failing() {
        const { invoke, error, status } = useHubInvoke(chat, 'Fail');
        return (
          <button onClick={() => void invoke('no way')}>
            {status} {error?.message}
          </button>
        );
      }
      render(<Failing />);
      fireEvent.click(screen.getByText('idle'));
      await screen.findByText(/^error .*no way/);
    });

    it('useSuspenseHub suspends until the hub is connected', async () => {
      const { hub } = chatHub();
      let fallbacks = 0;
      function Fallback() {
        fallbacks++;
        return <p>connecting…</p>;
      }
      function Room() {
        const connection = useSuspenseHub(hub);
        return <p>in room, {connection.state.status}</p>;
      }
      await renderAwaited(
        <Suspense fallback={<Fallback />}>
          <Room />
        </Suspense>,
      );
      // React reveals a boundary at most every 300 ms.
      await screen.findByText('in room, connected', {}, { timeout: 3000 });
      expect(fallbacks).toBeGreaterThan(0);
      expect(server.stats.connections).toBe(1);
    });

    it('useSuspenseHub: a hub that cannot connect reaches the error boundary, once; retry() tries again', async () => {
      const { hub } = chatHub({ reconnect: noReconnect() });
      server.mock.faults.failNegotiate(1, { status: 503 });
      function Room() {
        const connection = useSuspenseHub(hub);
        return <p>in room, {connection.state.status}</p>;
      }
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      // React 18 in development rethrows caught render errors as window errors, which jsdom prints.
      const quiet = (event: ErrorEvent) => event.preventDefault();
      window.addEventListener('error', quiet);
      await renderAwaited(
        <Boundary onReset={() => void hub.retry()}>
          <Suspense fallback={<p>connecting…</p>}>
            <Room />
          </Suspense>
        </Boundary>,
      );
      await screen.findByText(/^failed: .*503/, {}, { timeout: 3000 });
      // Rendering the error did not reconnect in a loop: one negotiate.
      expect(server.stats.negotiates).toBe(1);
      await act(() => {
        fireEvent.click(screen.getByText('try again'));
        return Promise.resolve();
      });
      await screen.findByText('in room, connected', {}, { timeout: 3000 });
      expect(server.stats.negotiates).toBe(2);
      window.removeEventListener('error', quiet);
      errors.mockRestore();
    });

    it('a hub whose start failed is started again by the next component that mounts', async () => {
      const { hub } = chatHub({ reconnect: noReconnect() });
      server.mock.faults.failNegotiate(1, { status: 503 });
      const view = render(<Status hub={hub} name="first" />);
      await waitFor(() => expect(hub.connection.state.lastError).not.toBeNull());
      expect(screen.getByTestId('first').textContent).toBe('disconnected ');
      view.rerender(
        <>
          <Status hub={hub} name="first" />
          <Status hub={hub} name="second" />
        </>,
      );
      await connectedId(hub);
      expect(server.stats.negotiates).toBe(2);
      expect(server.stats.connections).toBe(1);
    });

    it("useHubState re-renders only that hub's consumers", async () => {
      const a = chatHub().hub;
      const b = chatHub().hub;
      const renders = { a: 0, b: 0 };
      function Only({ hub, name }: { hub: Chat; name: 'a' | 'b' }) {
        const { status } = useHubState(hub);
        renders[name]++;
        return <p data-testid={name}>{status}</p>;
      }
      render(
        <>
          <Only hub={a} name="a" />
          <Only hub={b} name="b" />
        </>,
      );
      await connectedId(a);
      await connectedId(b);
      await waitFor(() => expect(screen.getByTestId('b').textContent).toBe('connected'));
      const before = { ...renders };
      await act(() => a.connection.stop());
      await waitFor(() => expect(screen.getByTestId('a').textContent).toBe('disconnected'));
      expect(renders.b).toBe(before.b);
      expect(renders.a).toBeGreaterThan(before.a);
    });
  });
}

/** Renders in an awaited `act`: React 19 retries a component suspended in an act scope only when it is awaited. */
async function renderAwaited(ui: ReactNode): Promise<void> {
  await act(() => {
    render(ui);
    return Promise.resolve();
  });
}

class Boundary extends Component<{ children: ReactNode; onReset: () => void }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error === null) return this.props.children;
    const reset = () => {
      this.props.onReset();
      this.setState({ error: null });
    };
    return (
      <>
        <p>failed: {this.state.error.message}</p>
        <button onClick={reset}>try again</button>
      </>
    );
  }
}
