import { describe, expect, it } from 'vitest';
import { absoluteUrl, resolveOptions } from '../../src/client/options.js';
import { outbox } from '../../src/client/outbox.js';
import { statefulReconnect } from '../../src/client/stateful-reconnect.js';

const url = 'https://example.com/hub';

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    const resolved = resolveOptions({ url });
    expect(resolved).toMatchObject({
      url,
      transports: ['webSockets', 'serverSentEvents', 'longPolling'],
      withCredentials: true,
      timeoutMs: 100_000,
      skipNegotiation: false,
      keepAliveIntervalMs: 15_000,
      serverTimeoutMs: 30_000,
      stateful: undefined,
      outbox: undefined,
    });
    expect(resolved.protocol.name).toBe('json');
  });

  it('reconnects by default with an exponential backoff that never gives up: at once, then full jitter to 30 s', () => {
    const { reconnect } = resolveOptions({ url });
    const reason = new Error('lost');
    expect(reconnect({ attempt: 1, elapsedMs: 0, reason })).toBe(0);
    const delays = Array.from({ length: 200 }, (_, i) =>
      reconnect({ attempt: i + 2, elapsedMs: 365 * 24 * 3_600_000, reason }),
    );
    for (const delay of delays) {
      expect(delay).toBeTypeOf('number');
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(30_000);
    }
    // Full jitter: the delays spread out instead of repeating the cap.
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it.each([
    ['timeoutMs', 0],
    ['keepAliveIntervalMs', -1],
    ['serverTimeoutMs', Number.POSITIVE_INFINITY],
    ['timeoutMs', Number.NaN],
  ])('rejects %s: %s with a RangeError naming the option', (name, value) => {
    expect(() => resolveOptions({ url, [name]: value })).toThrow(
      new RangeError(`\`${name}\` must be a positive number.`),
    );
  });

  it('requires the server timeout to exceed the keep-alive interval', () => {
    expect(() => resolveOptions({ url, keepAliveIntervalMs: 30_000, serverTimeoutMs: 30_000 })).toThrow(
      RangeError,
    );
  });

  it('rejects a URL that cannot be resolved, with a TypeError', () => {
    expect(() => absoluteUrl('http://')).toThrow(
      new TypeError("Invalid hub URL 'http://': pass an absolute http(s) URL."),
    );
    expect(() => absoluteUrl('/hubs/chat')).toThrow(TypeError);
  });

  it('keeps a URL as given where there is no page to resolve it against (start() refuses it)', () => {
    expect(resolveOptions({ url: '/hubs/chat' }).url).toBe('/hubs/chat');
  });
});

describe('opt-in features', () => {
  it('statefulReconnect(): defaults and options', () => {
    expect(resolveOptions({ url, statefulReconnect: statefulReconnect() }).stateful).toMatchObject({
      bufferSize: 100_000,
      reattachWindowMs: 15_000,
    });
    const custom = statefulReconnect({ bufferSize: 10, reattachWindowMs: 500 });
    expect(custom).toMatchObject({ bufferSize: 10, reattachWindowMs: 500 });
    expect(resolveOptions({ url, statefulReconnect: custom }).stateful).toBe(custom);
  });

  it('outbox(): default limit and options', () => {
    expect(outbox().limit).toBe(1000);
    const box = outbox({ limit: 3 });
    expect(resolveOptions({ url, outbox: box }).outbox).toBe(box);
  });

  it('false turns a feature off', () => {
    const resolved = resolveOptions({ url, statefulReconnect: false, outbox: false });
    expect(resolved.stateful).toBeUndefined();
    expect(resolved.outbox).toBeUndefined();
  });

  it.each([
    ['statefulReconnect', true],
    ['statefulReconnect', { bufferSize: 10, reattachWindowMs: 10 }],
    ['outbox', true],
    ['outbox', { limit: 3 }],
  ])('%s: %j (not made by its function) is a TypeError saying what to pass', (name, value) => {
    expect(() => resolveOptions({ url, [name]: value })).toThrow(
      new TypeError(
        `\`${name}\` takes the result of ${name}() from '@hubrx/core', e.g. \`${name}: ${name}()\`.`,
      ),
    );
  });

  it.each([
    () => statefulReconnect({ bufferSize: 0 }),
    () => statefulReconnect({ reattachWindowMs: -5 }),
    () => outbox({ limit: Number.NaN }),
  ])('invalid numbers are RangeErrors', (make) => {
    expect(make).toThrow(RangeError);
  });
});
