import type { Clock } from '../common/clock.js';
import { microtask } from '../common/deferred.js';

/**
 * Client pings and the server timeout, without touching a timer per frame: the receive and send paths only store
 * a timestamp, and two long-lived timers compare timestamps when they fire, re-arming for the time that remains.
 *
 * The ping timer is (re)armed from the receive path, as the official client does: Chrome throttles timers chained
 * from timers in background tabs (to one wake-up a minute), not timers set from network events, and the server
 * pings every 15 s.
 */
export class KeepAlive {
  #lastReceived: number;
  #lastSent: number;
  /** Frames received (1) and sent (2) since the last clock read. */
  #unstamped = 0;
  #pingTimer: unknown;
  /** Armed from `start()` until the server times out or `stop()`: whether the keep-alive runs. */
  #timeoutTimer: unknown;

  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #ping: () => void;
  readonly #timedOut: () => void;

  constructor(clock: Clock, intervalMs: number, timeoutMs: number, ping: () => void, timedOut: () => void) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
    this.#ping = ping;
    this.#timedOut = timedOut;
    this.#lastReceived = this.#lastSent = clock.now();
  }

  start(): void {
    this.#armTimeout(this.#timeoutMs);
    this.#armPing();
  }

  /** A frame arrived. */
  received(): void {
    this.#stampLater(1);
    if (this.#pingTimer === undefined && this.#timeoutTimer !== undefined) this.#armPing();
  }

  /** A frame was sent: the next ping is due an interval from now. */
  sent(): void {
    this.#stampLater(2);
  }

  /**
   * One clock read per synchronous burst of frames (a socket read can carry thousands), taken once the burst is
   * over: never earlier than its last frame, so a ping or the timeout can only come later, by the burst's length.
   */
  #stampLater(kind: number): void {
    if (this.#unstamped === 0) microtask(this.#stamp);
    this.#unstamped |= kind;
  }

  readonly #stamp = (): void => {
    const now = this.#clock.now();
    if (this.#unstamped & 1) this.#lastReceived = now;
    if (this.#unstamped & 2) this.#lastSent = now;
    this.#unstamped = 0;
  };

  stop(): void {
    if (this.#pingTimer !== undefined) this.#clock.clearTimeout(this.#pingTimer);
    if (this.#timeoutTimer !== undefined) this.#clock.clearTimeout(this.#timeoutTimer);
    this.#pingTimer = this.#timeoutTimer = undefined;
  }

  #armPing(): void {
    const wait = this.#lastSent + this.#intervalMs - this.#clock.now();
    this.#pingTimer = this.#clock.setTimeout(this.#onPingTimer, Math.max(0, wait));
  }

  #armTimeout(ms: number): void {
    this.#timeoutTimer = this.#clock.setTimeout(this.#onTimeoutTimer, ms);
  }

  readonly #onPingTimer = (): void => {
    this.#pingTimer = undefined;
    if (this.#clock.now() - this.#lastSent >= this.#intervalMs) {
      // Not re-armed here: the next received frame arms it (see above); a silent server times out anyway.
      this.#ping();
    } else {
      this.#armPing();
    }
  };

  readonly #onTimeoutTimer = (): void => {
    this.#timeoutTimer = undefined;
    const silentMs = this.#clock.now() - this.#lastReceived;
    if (silentMs >= this.#timeoutMs) this.#timedOut();
    else this.#armTimeout(this.#timeoutMs - silentMs);
  };
}
