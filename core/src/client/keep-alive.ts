import type { Clock } from './clock.js';

/**
 * Client pings and the server timeout, without touching a timer per frame: the receive and send paths only store
 * a timestamp, and two long-lived timers compare timestamps when they fire, re-arming for the time that remains.
 *
 * The ping timer is (re)armed from the receive path, as the official client does: Chrome throttles timers chained
 * from timers in background tabs (to one wake-up a minute), not timers set from network events, and the server
 * pings every 15 s.
 */
export class KeepAlive {
  private lastReceived: number;
  private lastSent: number;
  private pingTimer: unknown;
  private timeoutTimer: unknown;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly ping: () => void,
    private readonly timedOut: () => void,
  ) {
    this.lastReceived = this.lastSent = clock.now();
  }

  start(): void {
    this.armTimeout(this.timeoutMs);
    this.armPing();
  }

  /** A frame arrived. */
  received(): void {
    this.lastReceived = this.clock.now();
    if (this.pingTimer === undefined && !this.stopped) this.armPing();
  }

  /** A frame was sent: the next ping is due an interval from now. */
  sent(): void {
    this.lastSent = this.clock.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer);
    if (this.timeoutTimer !== undefined) this.clock.clearTimeout(this.timeoutTimer);
    this.pingTimer = this.timeoutTimer = undefined;
  }

  private armPing(): void {
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    this.pingTimer = this.clock.setTimeout(this.onPingTimer, Math.max(0, wait));
  }

  private armTimeout(ms: number): void {
    this.timeoutTimer = this.clock.setTimeout(this.onTimeoutTimer, ms);
  }

  private readonly onPingTimer = (): void => {
    this.pingTimer = undefined;
    if (this.stopped) return;
    if (this.clock.now() - this.lastSent >= this.intervalMs) {
      // Not re-armed here: the next received frame arms it (see above); a silent server times out anyway.
      this.ping();
    } else {
      this.armPing();
    }
  };

  private readonly onTimeoutTimer = (): void => {
    this.timeoutTimer = undefined;
    if (this.stopped) return;
    const silentMs = this.clock.now() - this.lastReceived;
    if (silentMs >= this.timeoutMs) this.timedOut();
    else this.armTimeout(this.timeoutMs - silentMs);
  };
}
