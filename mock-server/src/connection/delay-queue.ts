/**
 * Frames held back by an injected latency, released in order when their time comes (test controls). One timer
 * for the queue, not one per frame.
 */
export class DelayQueue<T> {
  private items: { at: number; item: T }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly release: (item: T) => void) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T, delayMs: number): void {
    this.items.push({ at: Date.now() + delayMs, item });
    if (this.timer === undefined) this.schedule();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
  }

  private schedule(): void {
    const next = this.items[0];
    if (next === undefined) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(
      () => {
        const now = Date.now();
        while (this.items.length > 0 && this.items[0]!.at <= now) this.release(this.items.shift()!.item);
        this.schedule();
      },
      Math.max(0, next.at - Date.now()),
    );
  }
}
