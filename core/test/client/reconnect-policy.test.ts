import { describe, expect, it } from 'vitest';
import { exponentialBackoff, fixedDelays, noReconnect } from '../../src/client/reconnect-policy.js';

const reason = new Error('lost');
const ctx = (attempt: number, elapsedMs = 0) => ({ attempt, elapsedMs, reason });

describe('exponentialBackoff', () => {
  it('retries at once, then doubles up to a cap, never giving up by default', () => {
    const policy = exponentialBackoff({ jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => policy(ctx(n)))).toEqual([
      0, 1000, 2000, 4000, 8000, 16000, 30000,
    ]);
    expect(policy(ctx(10_000, 365 * 24 * 3600 * 1000))).toBe(30_000);
  });

  it('full jitter picks a delay between 0 and the exponential cap', () => {
    expect(exponentialBackoff({ random: () => 0.5 })(ctx(3))).toBe(1000);
    expect(exponentialBackoff({ random: () => 0 })(ctx(9))).toBe(0);
    expect(exponentialBackoff({ random: () => 0.999 })(ctx(40))).toBe(29_970);
    for (let attempt = 2; attempt < 50; attempt++) {
      const delay = exponentialBackoff()(ctx(attempt))!;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(30_000);
    }
  });

  it('honours initialMs, factor and maxMs', () => {
    const policy = exponentialBackoff({ jitter: 'none', initialMs: 100, factor: 3, maxMs: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => policy(ctx(n)))).toEqual([0, 100, 300, 900, 1000]);
  });

  it('gives up after maxAttempts or maxElapsedMs', () => {
    const policy = exponentialBackoff({ maxAttempts: 3, maxElapsedMs: 60_000, jitter: 'none' });
    expect(policy(ctx(3))).toBe(2000);
    expect(policy(ctx(4))).toBeNull();
    expect(policy(ctx(2, 60_000))).toBeNull();
  });
});

describe('fixedDelays', () => {
  it('uses one delay per attempt, then gives up (the official default)', () => {
    const policy = fixedDelays([0, 2000, 10000, 30000]);
    expect([1, 2, 3, 4, 5].map((n) => policy(ctx(n)))).toEqual([0, 2000, 10000, 30000, null]);
  });
});

describe('noReconnect', () => {
  it('never retries', () => {
    expect(noReconnect()(ctx(1))).toBeNull();
  });
});
