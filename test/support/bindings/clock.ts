import type { Clock } from '@hubrx/core';

interface Timer {
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock for the bindings' tests: timers of 0 ms (an immediate reconnect attempt) run on a real macrotask, longer ones
 * (the grace period, keep-alive, backoff delays) only when the test advances time. No test sleeps through a delay.
 */
export class TestClock implements Clock {
  #time = 0;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();

  now(): number {
    return this.#time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#seq;
    if (ms <= 0) {
      const handle = setTimeout(() => {
        this.#timers.delete(id);
        callback();
      }, 0);
      this.#timers.set(id, { at: this.#time, callback: () => clearTimeout(handle) });
      return -id;
    }
    this.#timers.set(id, { at: this.#time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    const id = handle as number;
    if (id < 0) {
      this.#timers.get(-id)?.callback();
      this.#timers.delete(-id);
      return;
    }
    this.#timers.delete(id);
  }

  /** Timers waiting to be advanced past. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, running the timers due, in order. */
  advance(ms: number): void {
    const target = this.#time + ms;
    for (;;) {
      let next: [number, Timer] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= target && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#time = next[1].at;
      next[1].callback();
    }
    this.#time = target;
  }
}
