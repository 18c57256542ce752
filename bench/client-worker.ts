/**
 * One client of the client benchmark (bench/client.ts), in a process of its own: `hubrx` (as built, see
 * bench/built-core.ts) or `official` (@microsoft/signalr as published). The benchmark sends it one command at a
 * time over IPC and gets back one figure per command: messages or calls per second, or connect milliseconds.
 */
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import {
  HttpTransportType,
  HubConnectionBuilder,
  JsonHubProtocol,
  LogLevel,
  type HubConnection as OfficialConnection,
  type IHttpConnectionOptions,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import type { HubConnection } from '@hubrx/core';
import { WebSocket } from 'ws';
import { loadBuiltCore } from './built-core.js';

export type ProtocolName = 'json' | 'messagepack';
export type ClientName = 'hubrx' | 'official';

/** A command of the benchmark; every one answers with a number. */
export type Command =
  | { readonly op: 'open'; readonly url: string; readonly protocol: ProtocolName }
  | { readonly op: 'close'; readonly protocol: ProtocolName }
  | {
      readonly op: 'blast';
      readonly protocol: ProtocolName;
      readonly serverPid: number;
      readonly count: number;
      readonly payloadSize: number;
    }
  | {
      readonly op: 'counter';
      readonly protocol: ProtocolName;
      readonly serverPid: number;
      readonly count: number;
    }
  | { readonly op: 'invoke'; readonly protocol: ProtocolName; readonly total: number; readonly width: number }
  | { readonly op: 'connect'; readonly url: string; readonly protocol: ProtocolName; readonly times: number }
  | { readonly op: 'floor'; readonly url: string; readonly times: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages on their way to a subscriber: `done` once all arrived; `received` counts them so far. */
interface Flow {
  readonly done: Promise<unknown>;
  readonly received: () => number;
}

/** What the benchmark does with one client on one open connection. */
interface Session {
  /** The connection's TCP socket, whose reading is held while the server writes a backlog. */
  readonly socket: Socket;
  /** Blast(count, payloadSize), counting Ticks in an `on('Tick')` subscriber; done with the last Tick. */
  blast(count: number, payloadSize: number): Flow;
  /** Counter(count, 0); done when the stream completes. */
  counter(count: number): Flow;
  /** Add(i, 1) `total` times, `width` invocations in flight at any time. */
  invokeMany(total: number, width: number): Promise<void>;
  stop(): Promise<void>;
}

interface Driver {
  /** Creates a connection (not timed) and returns how to start and stop it. */
  create(url: string, protocol: ProtocolName): { start(): Promise<void>; stop(): Promise<void> };
  open(url: string, protocol: ProtocolName): Promise<Session>;
}

/** How both clients construct sockets: `new WebSocket(url, protocols, { headers })`. */
type WebSocketClass = new (
  url: string,
  protocols?: string | string[],
  options?: WebSocket.ClientOptions,
) => WebSocket;

/** `ws`'s WebSocket, remembering the sockets it made (to reach their TCP sockets). */
function recordingWebSocket(): { WebSocket: WebSocketClass; made: WebSocket[] } {
  const made: WebSocket[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options);
      made.push(this);
    }
  }
  return { WebSocket: RecordingWebSocket, made };
}

function tcpSocket(made: readonly WebSocket[]): Socket {
  const socket = (made.at(-1) as unknown as { _socket?: Socket } | undefined)?._socket;
  if (socket === undefined) throw new Error('No open WebSocket to measure on.');
  return socket;
}

/** Counts events; `expect(n)` starts over and resolves at the n-th. */
function eventCounter(): { count(): void; expect(n: number): Flow } {
  let received = 0;
  let expected = Infinity;
  let reached: (() => void) | undefined;
  return {
    count() {
      if (++received === expected) reached?.();
    },
    expect(n) {
      received = 0;
      expected = n;
      return { done: new Promise<void>((resolve) => (reached = resolve)), received: () => received };
    },
  };
}

/** A call's result together with its events: done once both are. */
function withEvents(call: PromiseLike<unknown>, events: Flow): Flow {
  return { done: Promise.all([call, events.done]), received: events.received };
}

/** Subscribes to a stream (either client's: both take an observer with next/error/complete). */
function streamFlow(
  subscribe: (observer: { next(): void; error(e: unknown): void; complete(): void }) => void,
) {
  let n = 0;
  const done = new Promise<void>((resolve, reject) =>
    subscribe({ next: () => void n++, error: reject, complete: resolve }),
  );
  return { done, received: () => n };
}

async function inFlight(total: number, width: number, call: (i: number) => PromiseLike<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < total) await call(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** hubrx as built (bench/built-core.ts), loaded before any command when this process runs hubrx. */
let built: Awaited<ReturnType<typeof loadBuiltCore>>;

function hubrx(url: string, protocol: ProtocolName, socket: WebSocketClass = WebSocket): HubConnection {
  const { core, msgpack, node } = built;
  return core.createHubConnection({
    url: `${url}/testhub`,
    transports: ['webSockets'],
    protocol: protocol === 'json' ? core.jsonHubProtocol() : msgpack.messagePackHubProtocol(),
    WebSocket: node.nodeWebSocket(socket),
    reconnect: core.noReconnect(),
  });
}

const ours: Driver = {
  create(url, protocol) {
    const connection = hubrx(url, protocol);
    return { start: () => connection.start(), stop: () => connection.stop() };
  },
  async open(url, protocol) {
    const sockets = recordingWebSocket();
    const connection = hubrx(url, protocol, sockets.WebSocket);
    const ticks = eventCounter();
    connection.on('Tick').subscribe(() => ticks.count());
    await connection.start();
    return {
      socket: tcpSocket(sockets.made),
      blast: (count, payloadSize) => {
        const events = ticks.expect(count);
        return withEvents(connection.invoke('Blast', count, payloadSize), events);
      },
      counter: (count) =>
        streamFlow((observer) => connection.stream('Counter', count, 0).subscribe(observer)),
      invokeMany: (total, width) => inFlight(total, width, (i) => connection.invoke('Add', i, 1)),
      stop: () => connection.stop(),
    };
  },
};

function official(
  url: string,
  protocol: ProtocolName,
  socket: WebSocketClass = WebSocket,
): OfficialConnection {
  return new HubConnectionBuilder()
    .withUrl(`${url}/testhub`, {
      transport: HttpTransportType.WebSockets,
      // Honoured by HttpConnection (and used by the official functional tests), though not in the public type.
      WebSocket: socket,
    } as IHttpConnectionOptions)
    .withHubProtocol(protocol === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol())
    .configureLogging(LogLevel.None)
    .build();
}

const theirs: Driver = {
  create(url, protocol) {
    const connection = official(url, protocol);
    return { start: () => connection.start(), stop: () => connection.stop() };
  },
  async open(url, protocol) {
    const sockets = recordingWebSocket();
    const connection = official(url, protocol, sockets.WebSocket);
    const ticks = eventCounter();
    connection.on('Tick', () => ticks.count());
    await connection.start();
    return {
      socket: tcpSocket(sockets.made),
      blast: (count, payloadSize) => {
        const events = ticks.expect(count);
        return withEvents(connection.invoke('Blast', count, payloadSize), events);
      },
      counter: (count) =>
        streamFlow((observer) => connection.stream('Counter', count, 0).subscribe(observer)),
      invokeMany: (total, width) => inFlight(total, width, (i) => connection.invoke('Add', i, 1)),
      stop: () => connection.stop(),
    };
  },
};

// ---- measuring ------------------------------------------------------------------------------------------------

/** The process's state (`R` running, `S` sleeping...) and the CPU time (clock ticks) it has used so far. */
function processStat(pid: number): { state: string; ticks: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the parenthesised command name, from the 3rd (state); utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, ticks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * Waits until the server process has written everything: asleep, and no CPU used, for three polls in a row (on a
 * busy machine a server that is merely waiting for a core shows as running).
 */
async function serverIdle(pid: number): Promise<void> {
  let last = processStat(pid).ticks;
  let quiet = 0;
  const deadline = performance.now() + 30_000;
  while (quiet < 3) {
    if (performance.now() > deadline) throw new Error('The mock server did not go idle within 30 s.');
    await sleep(20);
    const now = processStat(pid);
    quiet = now.ticks === last && now.state === 'S' ? quiet + 1 : 0;
    last = now.ticks;
  }
}

/**
 * Holds the session's reading, starts the flow, waits for the server to write it all, then times the client
 * taking in the backlog: returns messages per second.
 */
async function drain(serverPid: number, session: Session, start: () => Flow, count: number): Promise<number> {
  session.socket.pause();
  let flow: Flow;
  try {
    flow = start();
    await serverIdle(serverPid);
  } finally {
    session.socket.resume();
  }
  const t0 = performance.now();
  if (flow.received() !== 0) throw new Error('Messages arrived while the socket was held.');
  await flow.done;
  const seconds = (performance.now() - t0) / 1e3;
  if (flow.received() !== count) throw new Error(`Received ${flow.received()} of ${count} messages.`);
  return count / seconds;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * What a connect costs with no client code at all: `fetch` the negotiate, open a `ws` socket with the token, send
 * the JSON handshake and wait for its answer. No client can connect faster over the same `fetch` and `ws`.
 */
async function rawConnect(url: string): Promise<() => Promise<void>> {
  const response = await fetch(`${url}/testhub/negotiate?negotiateVersion=1`, { method: 'POST' });
  const { connectionToken } = (await response.json()) as { connectionToken: string };
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/testhub?id=${connectionToken}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send('{"protocol":"json","version":1}\x1e');
  await new Promise((resolve) => socket.once('message', resolve));
  return () =>
    new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
}

const name = process.argv[2] as ClientName;
if (name === 'hubrx') built = await loadBuiltCore();
const driver = name === 'hubrx' ? ours : theirs;
const sessions = new Map<ProtocolName, Session>();

function session(protocol: ProtocolName): Session {
  const open = sessions.get(protocol);
  if (open === undefined) throw new Error(`No ${protocol} session is open.`);
  return open;
}

async function run(command: Command): Promise<number> {
  switch (command.op) {
    case 'open':
      sessions.set(command.protocol, await driver.open(command.url, command.protocol));
      return 0;
    case 'close':
      await sessions.get(command.protocol)?.stop();
      sessions.delete(command.protocol);
      return 0;
    case 'blast': {
      const open = session(command.protocol);
      return drain(
        command.serverPid,
        open,
        () => open.blast(command.count, command.payloadSize),
        command.count,
      );
    }
    case 'counter': {
      const open = session(command.protocol);
      return drain(command.serverPid, open, () => open.counter(command.count), command.count);
    }
    case 'invoke': {
      const seconds =
        (await timed(() => session(command.protocol).invokeMany(command.total, command.width))) / 1e3;
      return command.total / seconds;
    }
    case 'connect': {
      const times: number[] = [];
      for (let i = 0; i < command.times; i++) {
        const connection = driver.create(command.url, command.protocol);
        times.push(await timed(() => connection.start()));
        await connection.stop();
      }
      return median(times);
    }
    case 'floor': {
      const times: number[] = [];
      for (let i = 0; i < command.times; i++) {
        let close: (() => Promise<void>) | undefined;
        times.push(await timed(async () => (close = await rawConnect(command.url))));
        await close?.();
      }
      return median(times);
    }
  }
}

// One command at a time; the answer carries its id. The benchmark closing the channel ends the process.
process.on('message', (message: { id: number; command: Command }) => {
  run(message.command).then(
    (value) => process.send!({ id: message.id, value }),
    (error: unknown) => process.send!({ id: message.id, error: (error as Error).stack ?? String(error) }),
  );
});
process.on('disconnect', () => {
  void Promise.allSettled([...sessions.values()].map((open) => open.stop())).then(() => process.exit(0));
});
process.send!({ id: 0, value: 0 });
