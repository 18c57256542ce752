/**
 * The in-page side of the browser benchmark, bundled into each client's page (bench/browser/client-*.ts): one
 * driver over a small adapter per client, so that everything but the client's own code (the counting handler,
 * the in-flight loop, the clock) is the same code for all three. The benchmark calls `window.bench`.
 */

export type Protocol = 'json' | 'messagepack';

/** Receives stream items (either client's observer shape). */
export interface ItemObserver {
  next(item: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

/** One open connection of a client, as the adapter exposes it. */
export interface AdapterConnection {
  /** `Events(n, perFrame)` as a non-blocking invocation (the server answers with Ticks only). */
  events(count: number, perFrame: number): unknown;
  /** Subscribes to `Counter(n)`. */
  stream(count: number, observer: ItemObserver): void;
  /** `Add(a, b)`, awaited as an app awaits it. */
  add(a: number, b: number): PromiseLike<unknown>;
  stop(): Promise<void>;
}

/** A client: connects to the hub at `url`, with `onTick` as its `Tick` handler. */
export type Adapter = (url: string, protocol: Protocol, onTick: () => void) => Promise<AdapterConnection>;

/** What the benchmark calls in the page. Each measure answers its wall time in milliseconds (page clock). */
export interface BenchApi {
  open(protocol: Protocol): Promise<void>;
  /** n Ticks, perFrame to a WebSocket frame: from the request to the n-th Tick reaching the handler. */
  events(count: number, perFrame: number): Promise<number>;
  /** Counter(n): from the request to the completion (after the n-th item reached the observer). */
  stream(count: number): Promise<number>;
  /** `total` Add calls, `inFlight` at any time. */
  invoke(total: number, inFlight: number): Promise<number>;
  /** `total` Add calls, one at a time. */
  invokeSequential(total: number): Promise<number>;
  /** `times` new connections, each started (timed) and stopped: the median start, in milliseconds. */
  connect(times: number): Promise<number>;
  close(): Promise<void>;
  /** Nothing: what a call of the benchmark costs the page by itself (subtracted from the measures). */
  nothing(): Promise<number>;
}

declare global {
  interface Window {
    bench?: BenchApi;
  }
}

const HUB = '/hub';

export function installBench(adapter: Adapter): void {
  let connection: AdapterConnection | undefined;
  let protocol: Protocol = 'json';
  // The same counting handler for every client: the n-th call notes the time and settles the wait.
  let received = 0;
  let expected = -1;
  let reachedAt = 0;
  let reached: () => void = () => undefined;
  const count = () => {
    if (++received === expected) {
      reachedAt = performance.now();
      reached();
    }
  };
  const expect = (n: number) => {
    received = 0;
    expected = n;
    return new Promise<void>((resolve) => (reached = resolve));
  };
  const open = () => {
    if (connection === undefined) throw new Error('No connection is open.');
    return connection;
  };
  const check = (n: number) => {
    if (received !== n) throw new Error(`Received ${received} of ${n} messages.`);
  };

  const api: BenchApi = {
    async open(which) {
      protocol = which;
      connection = await adapter(HUB, protocol, count);
      const sum = await connection.add(40, 2);
      if (sum !== 42) throw new Error(`Add(40, 2) answered ${String(sum)}.`);
    },
    async events(n, perFrame) {
      const done = expect(n);
      const start = performance.now();
      await open().events(n, perFrame);
      await done;
      check(n);
      return reachedAt - start;
    },
    async stream(n) {
      received = 0;
      expected = -1;
      const start = performance.now();
      await new Promise<void>((resolve, reject) =>
        open().stream(n, {
          next: count,
          error: reject,
          complete: () => {
            reachedAt = performance.now();
            resolve();
          },
        }),
      );
      check(n);
      return reachedAt - start;
    },
    async invoke(total, inFlight) {
      const hub = open();
      let next = 0;
      const worker = async () => {
        while (next < total) await hub.add(next++, 1);
      };
      const start = performance.now();
      await Promise.all(Array.from({ length: inFlight }, worker));
      return performance.now() - start;
    },
    async invokeSequential(total) {
      const hub = open();
      const start = performance.now();
      for (let i = 0; i < total; i++) await hub.add(i, 1);
      return performance.now() - start;
    },
    async connect(times) {
      const ms: number[] = [];
      for (let i = 0; i < times; i++) {
        const start = performance.now();
        const other = await adapter(HUB, protocol, count);
        ms.push(performance.now() - start);
        await other.stop();
      }
      return ms.sort((a, b) => a - b)[ms.length >> 1]!;
    },
    async close() {
      await connection?.stop();
      connection = undefined;
    },
    nothing: () => Promise.resolve(0),
  };
  window.bench = api;
}
