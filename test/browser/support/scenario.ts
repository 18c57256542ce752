import type { TransportName } from '@hubrx/core';
import type { Hubrx } from './harness.js';

export type ProtocolChoice = 'json' | 'messagepack';

/** Every transport × protocol pair the browser can use (MessagePack is binary: not over Server-Sent Events). */
export const COMBINATIONS: readonly { transport: TransportName; protocol: ProtocolChoice }[] = [
  { transport: 'webSockets', protocol: 'json' },
  { transport: 'webSockets', protocol: 'messagepack' },
  { transport: 'serverSentEvents', protocol: 'json' },
  { transport: 'longPolling', protocol: 'json' },
  { transport: 'longPolling', protocol: 'messagepack' },
];

/** The server's name of each transport (`GetActiveTransportName`). */
export const SERVER_TRANSPORT_NAME: Readonly<Record<TransportName, string>> = {
  webSockets: 'WebSockets',
  serverSentEvents: 'ServerSentEvents',
  longPolling: 'LongPolling',
};

export interface ScenarioArgs {
  /** The hub URL, absolute or relative. */
  readonly url: string;
  readonly transport: TransportName;
  readonly protocol: ProtocolChoice;
}

export interface ScenarioResult {
  readonly status: string;
  readonly transport: string | null;
  readonly activeTransport: unknown;
  readonly echo: unknown;
  readonly sum: unknown;
  readonly error: { readonly name: string; readonly message: string } | null;
  readonly streamed: readonly unknown[];
  readonly counted: readonly unknown[];
  readonly messages: readonly (readonly unknown[])[];
  readonly clientResult: unknown;
  readonly clientResultRoute: string;
  readonly statusAfterStop: string;
}

/**
 * One connection doing a bit of everything: invoke (result and error), stream (`for await` and subscribe), a
 * server call caught with `on()`, and two client results (`AskClient`, and `/clientresult/{id}` asked from
 * outside the hub). Runs in a page or a worker from its source text, so it uses only its parameters and globals.
 */
export async function connectionScenario(hubrx: Hubrx, args: ScenarioArgs): Promise<ScenarioResult> {
  const connection = hubrx.createHubConnection({
    url: args.url,
    transports: [args.transport],
    protocol: args.protocol === 'messagepack' ? hubrx.messagePackHubProtocol() : hubrx.jsonHubProtocol(),
    reconnect: hubrx.noReconnect(),
  });
  const messages: unknown[][] = [];
  const subscription = connection.on('Message').subscribe((message) => messages.push(message));
  subscription.add(connection.handle('ClientResult', (prompt) => `answer to ${String(prompt)}`));
  subscription.add(
    connection.handle('Result', () => new Promise((resolve) => setTimeout(() => resolve(42), 10))),
  );
  try {
    await connection.start();
    const { status, transport, connectionId } = connection.state;
    const activeTransport = await connection.invoke('GetActiveTransportName');
    const echo = await connection.invoke('Echo', 'hello from the browser');
    const sum = await connection.invoke('Add', 40, 2);
    let error: ScenarioResult['error'] = null;
    try {
      await connection.invoke('ThrowException', 'boom');
    } catch (thrown) {
      error = { name: (thrown as Error).name, message: (thrown as Error).message };
    }
    const streamed: unknown[] = [];
    for await (const item of connection.stream('Stream')) streamed.push(item);
    const counted = await new Promise<unknown[]>((resolve, reject) => {
      const items: unknown[] = [];
      connection.stream('Counter', 5, 5).subscribe({
        next: (item) => items.push(item),
        error: reject,
        complete: () => resolve(items),
      });
    });
    await connection.invoke('InvokeWithString', 'pushed');
    const clientResult = await connection.invoke('AskClient', 'the question');
    const base = (globalThis as unknown as { location: { href: string } }).location.href;
    const response = await fetch(new URL(`/clientresult/${String(connectionId)}`, base));
    const clientResultRoute = await response.text();
    await connection.stop();
    return {
      status,
      transport,
      activeTransport,
      echo,
      sum,
      error,
      streamed,
      counted,
      messages,
      clientResult,
      clientResultRoute,
      statusAfterStop: connection.state.status,
    };
  } finally {
    subscription.unsubscribe();
    await connection.stop();
  }
}

/** What {@link connectionScenario} gives when everything works. */
export function expectedScenario(transport: TransportName): ScenarioResult {
  return {
    status: 'connected',
    transport,
    activeTransport: SERVER_TRANSPORT_NAME[transport],
    echo: 'hello from the browser',
    sum: 42,
    error: {
      name: 'HubError',
      message:
        "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: boom",
    },
    streamed: ['a', 'b', 'c'],
    counted: [0, 1, 2, 3, 4],
    messages: [['pushed']],
    clientResult: 'answer to the question',
    clientResultRoute: '42',
    statusAfterStop: 'disconnected',
  };
}
