import { describe, expect, it } from 'vitest';
import { KeepAlive } from '../../src/client/keep-alive.js';
import { VirtualClock } from '../support/virtual-clock.js';

function setup(intervalMs = 15_000, timeoutMs = 30_000) {
  const clock = new VirtualClock();
  const events: string[] = [];
  const keepAlive = new KeepAlive(
    clock,
    intervalMs,
    timeoutMs,
    () => {
      events.push(`ping@${clock.now()}`);
      keepAlive.sent();
    },
    () => events.push(`timeout@${clock.now()}`),
  );
  keepAlive.start();
  return { clock, events, keepAlive };
}

describe('KeepAlive', () => {
  it('pings when nothing was sent for an interval, re-armed by received frames', async () => {
    const { clock, events, keepAlive } = setup();
    for (let t = 0; t < 60_000; t += 5000) {
      await clock.advance(5000);
      keepAlive.received();
    }
    expect(events).toEqual(['ping@15000', 'ping@30000', 'ping@45000', 'ping@60000']);
  });

  it('does not ping while the client keeps sending', async () => {
    const { clock, events, keepAlive } = setup();
    for (let t = 0; t < 60_000; t += 1000) {
      await clock.advance(1000);
      keepAlive.sent();
      keepAlive.received();
    }
    expect(events).toEqual([]);
  });

  it('times out after serverTimeout of silence, measured from the last received frame', async () => {
    const { clock, events, keepAlive } = setup(15_000, 30_000);
    await clock.advance(20_000);
    keepAlive.received();
    await clock.advance(29_999);
    expect(events.filter((e) => e.startsWith('timeout'))).toEqual([]);
    await clock.advance(1);
    expect(events.filter((e) => e.startsWith('timeout'))).toEqual(['timeout@50000']);
    // Timed out is over: a late frame arms nothing.
    const before = events.length;
    keepAlive.received();
    expect(clock.pending).toBe(0);
    await clock.advance(100_000);
    expect(events).toHaveLength(before);
  });

  it('arms no timer per received or sent frame', async () => {
    const { clock, keepAlive } = setup();
    const armed = clock.armed;
    for (let i = 0; i < 10_000; i++) {
      keepAlive.received();
      keepAlive.sent();
    }
    expect(clock.armed).toBe(armed);
    await clock.advance(1);
  });

  it('leaves no timer after stop', async () => {
    const { clock, events, keepAlive } = setup();
    keepAlive.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(100_000);
    keepAlive.received();
    expect(clock.pending).toBe(0);
    expect(events).toEqual([]);
  });
});
