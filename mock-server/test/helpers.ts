import { HttpTransportType, HubConnectionBuilder, JsonHubProtocol, LogLevel } from '@microsoft/signalr';
import type { HubConnection, IHttpConnectionOptions, IRetryPolicy } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { jsonHubProtocol, MessageType, type HubMessage } from '@hubrx/core';
import { createMockHubServer, type MockHubServer, type MockHubServerOptions } from '@hubrx/mock-server';

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A mock server closed after the test. */
export async function server(options: MockHubServerOptions): Promise<MockHubServer> {
  const created = await createMockHubServer(options);
  cleanups.push(() => created.close());
  return created;
}

export const transports = [
  { name: 'WebSockets', type: HttpTransportType.WebSockets },
  { name: 'ServerSentEvents', type: HttpTransportType.ServerSentEvents },
  { name: 'LongPolling', type: HttpTransportType.LongPolling },
] as const;

/** An official-client connection, stopped after the test. */
export function connection(
  url: string,
  options: IHttpConnectionOptions & {
    readonly protocol?: 'json' | 'messagepack';
    readonly reconnect?: IRetryPolicy | number[];
    readonly stateful?: boolean;
    readonly serverTimeoutMs?: number;
  } = {},
): HubConnection {
  const { protocol = 'json', reconnect, stateful, serverTimeoutMs, ...http } = options;
  let builder = new HubConnectionBuilder()
    .withUrl(url, { transport: HttpTransportType.WebSockets, ...http })
    .withHubProtocol(protocol === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol())
    .configureLogging(LogLevel.None);
  if (Array.isArray(reconnect)) builder = builder.withAutomaticReconnect(reconnect);
  else if (reconnect !== undefined) builder = builder.withAutomaticReconnect(reconnect);
  if (stateful === true) builder = builder.withStatefulReconnect();
  if (serverTimeoutMs !== undefined) builder = builder.withServerTimeout(serverTimeoutMs);
  const built = builder.build();
  cleanups.push(() => built.stop());
  return built;
}

const json = jsonHubProtocol();

/** A raw WebSocket hub client speaking JSON, for what the official client does not let a test do. */
export interface RawClient {
  readonly socket: WebSocket;
  readonly messages: HubMessage[];
  readonly frames: string[];
  send(message: HubMessage | string): void;
  next(predicate: (message: HubMessage) => boolean, timeoutMs?: number): Promise<HubMessage>;
  closed: Promise<{ code: number }>;
}

export async function rawClient(
  url: string,
  handshake = '{"protocol":"json","version":1}\x1e',
): Promise<RawClient> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  cleanups.push(() => socket.terminate());
  const messages: HubMessage[] = [];
  const frames: string[] = [];
  const waiters: { predicate: (m: HubMessage) => boolean; resolve: (m: HubMessage) => void }[] = [];
  let handshaken = false;
  const closed = new Promise<{ code: number }>((resolve) =>
    socket.once('close', (code) => resolve({ code })),
  );
  socket.on('message', (data: Buffer) => {
    let text = data.toString('utf8');
    frames.push(text);
    if (!handshaken) {
      handshaken = true;
      const end = text.indexOf('\x1e');
      text = text.slice(end + 1);
      if (text === '') return;
    }
    let parsed: HubMessage[];
    try {
      parsed = json.parse(text);
    } catch {
      return; // Not hub messages (a raw connection, or a test sending garbage): kept in `frames` only.
    }
    for (const message of parsed) {
      messages.push(message);
      for (const waiter of waiters.splice(0)) {
        if (waiter.predicate(message)) waiter.resolve(message);
        else waiters.push(waiter);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  if (handshake !== '') socket.send(handshake);
  return {
    socket,
    messages,
    frames,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : (json.write(message) as string)),
    next: (predicate, timeoutMs = 5000) => {
      const seen = messages.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}

export const isType = (type: number) => (message: HubMessage) => message.type === type;
export const isCompletion = (id: string) => (message: HubMessage) =>
  message.type === MessageType.Completion && message.invocationId === id;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
