import { describe, expect, it } from 'vitest';
import { SendQueue } from '../../src/transports/send-queue.js';
import { flush } from '../support/virtual-clock.js';

describe('SendQueue', () => {
  it('writes everything queued in one tick as one frame, in order', async () => {
    const frames: (string | Uint8Array)[] = [];
    const queue = new SendQueue(
      (data) => void frames.push(data),
      () => undefined,
    );
    queue.push('a\x1e');
    queue.push('b\x1e');
    queue.push('c\x1e');
    expect(frames).toEqual([]);
    await queue.sent();
    expect(frames).toEqual(['a\x1eb\x1ec\x1e']);
  });

  it('keeps one asynchronous send in flight and coalesces what comes meanwhile', async () => {
    const frames: string[] = [];
    const landed: (() => void)[] = [];
    const queue = new SendQueue(
      (data) =>
        new Promise<void>((resolve) => {
          frames.push(data as string);
          landed.push(resolve);
        }),
      () => undefined,
    );
    queue.push('1');
    await flush();
    queue.push('2');
    queue.push('3');
    const sent = queue.sent();
    await flush();
    expect(frames).toEqual(['1']);
    landed[0]!();
    await flush();
    expect(frames).toEqual(['1', '23']);
    landed[1]!();
    await sent;
  });

  it('joins binary frames into one', async () => {
    const frames: (string | Uint8Array)[] = [];
    const queue = new SendQueue(
      (data) => void frames.push(data),
      () => undefined,
    );
    queue.push(new Uint8Array([1, 2]));
    queue.push(new Uint8Array([3]));
    await queue.sent();
    expect(frames).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it('reports a failed send once, rejects waiters and refuses later frames', async () => {
    const failures: Error[] = [];
    const queue = new SendQueue(
      () => Promise.reject(new Error('POST failed')),
      (error) => failures.push(error),
    );
    queue.push('a');
    await expect(queue.sent()).rejects.toThrow('POST failed');
    expect(failures).toHaveLength(1);
    expect(() => queue.push('b')).toThrow('POST failed');
  });
});
