import { deferred, microtask, type Deferred } from '../common/deferred.js';

/**
 * Coalesces outgoing frames: everything queued in one tick, or while the previous send is still in flight (an
 * HTTP POST), goes out as one frame, in order. A WebSocket therefore writes one frame per tick rather than one per
 * message, and Long Polling / SSE keep one POST in flight, as the official client does.
 *
 * Per message this costs an array push; promises exist only for callers that ask when their data left.
 */
export class SendQueue {
  #batch: (string | Uint8Array)[] = [];
  /** Waiters for the queued batch, and for the batch in flight. Created only when someone asks. */
  #batchSent: Deferred | undefined;
  #flightSent: Deferred | undefined;
  #scheduled = false;
  #inFlight = false;
  #failure: Error | undefined;

  readonly #write: (data: string | Uint8Array) => void | Promise<void>;
  readonly #onFailure: (error: Error) => void;

  constructor(write: (data: string | Uint8Array) => void | Promise<void>, onFailure: (error: Error) => void) {
    this.#write = write;
    this.#onFailure = onFailure;
  }

  /** Queues a frame. Throws the queue's failure if an earlier send failed. */
  push(data: string | Uint8Array): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#batch.push(data);
    if (!this.#scheduled && !this.#inFlight) {
      this.#scheduled = true;
      microtask(this.#flush);
    }
  }

  /** Settles when everything queued so far has been handed to the transport, or rejects if that failed. */
  sent(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#batch.length > 0) return (this.#batchSent ??= deferred()).promise;
    if (this.#inFlight) return (this.#flightSent ??= deferred()).promise;
    return Promise.resolve();
  }

  /** Drops what is queued (the link is going away); waiting callers get `error`. */
  close(error: Error): void {
    this.#failure ??= error;
    this.#batch = [];
    this.#batchSent?.reject(error);
    this.#flightSent?.reject(error);
    this.#batchSent = this.#flightSent = undefined;
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#batch.length === 0 || this.#failure !== undefined) return;
    const items = this.#batch;
    this.#flightSent = this.#batchSent;
    this.#batch = [];
    this.#batchSent = undefined;
    let result: void | Promise<void>;
    try {
      result = this.#write(items.length === 1 ? items[0]! : join(items));
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    if (result === undefined) return this.#landed();
    this.#inFlight = true;
    result.then(
      () => {
        this.#inFlight = false;
        this.#landed();
        this.#flush();
      },
      (error: unknown) => {
        this.#inFlight = false;
        this.#fail(error as Error);
      },
    );
  };

  #landed(): void {
    this.#flightSent?.resolve();
    this.#flightSent = undefined;
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.close(error);
    this.#onFailure(error);
  }
}

const encoder = new TextEncoder();

/** Joins frames into one: strings stay text; any bytes make the whole frame bytes. */
function join(items: readonly (string | Uint8Array)[]): string | Uint8Array {
  if (items.every((item) => typeof item === 'string')) return items.join('');
  const parts = items.map((item) => (typeof item === 'string' ? encoder.encode(item) : item));
  const out = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
