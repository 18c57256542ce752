/**
 * A stream the client uploads (StreamItems for a stream id of its Invocation), handed to the hub method as an
 * `AsyncIterable`. Bounded like ASP.NET Core's channel (`StreamBufferCapacity`): when full, the connection stops
 * reading until the method consumes items, so nothing is dropped and memory stays bounded.
 */
export class UploadStream implements AsyncIterable<unknown> {
  private readonly items: unknown[] = [];
  private head = 0;
  private ended = false;
  private failure: Error | undefined;
  private consumer:
    { resolve: (result: IteratorResult<unknown>) => void; reject: (error: Error) => void } | undefined;
  private spaceWaiters: (() => void)[] = [];
  private iterated = false;

  constructor(private readonly capacity: number) {}

  private get size(): number {
    return this.items.length - this.head;
  }

  /** Adds an item; returns a Promise when the stream is now full, to be awaited before reading on. */
  push(item: unknown): Promise<void> | undefined {
    if (this.ended) return undefined;
    if (this.consumer !== undefined) {
      const { resolve } = this.consumer;
      this.consumer = undefined;
      resolve({ value: item, done: false });
      return undefined;
    }
    this.items.push(item);
    return this.size >= this.capacity ? new Promise((resolve) => this.spaceWaiters.push(resolve)) : undefined;
  }

  /** Ends the stream: cleanly, or with an error the method's `for await` will throw. */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.consumer !== undefined && this.size === 0) {
      const consumer = this.consumer;
      this.consumer = undefined;
      if (error === undefined) consumer.resolve({ value: undefined, done: true });
      else consumer.reject(error);
    }
    this.releaseSpace();
  }

  private releaseSpace(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private next(): Promise<IteratorResult<unknown>> {
    if (this.size > 0) {
      const value = this.items[this.head];
      this.items[this.head++] = undefined;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      if (this.size < this.capacity) this.releaseSpace();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      return this.failure === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => (this.consumer = { resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    // One consumer, as a ChannelReader has.
    if (this.iterated) throw new Error('An uploaded stream can be iterated only once.');
    this.iterated = true;
    return {
      next: () => this.next(),
      return: () => {
        // The method stopped reading: drop what is buffered and stop holding the connection back.
        this.items.length = 0;
        this.head = 0;
        this.ended = true;
        this.releaseSpace();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
