import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { iterate } from '../../src/client/calls.js';

describe('iterate', () => {
  it('yields a backlog in order, past the point where consumed items are dropped, then items as they come', async () => {
    const source = new Subject<number>();
    const iterator = iterate(source);
    for (let i = 0; i < 5000; i++) source.next(i);
    const seen: number[] = [];
    for (let i = 0; i < 3000; i++) seen.push((await iterator.next()).value as number);
    for (let i = 5000; i < 6000; i++) source.next(i);
    for (let i = 0; i < 3000; i++) seen.push((await iterator.next()).value as number);
    expect(seen).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    const pending = iterator.next();
    source.next(6000);
    expect(await pending).toEqual({ value: 6000, done: false });
    source.complete();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('delivers queued items before the error that followed them', async () => {
    const source = new Subject<number>();
    const iterator = iterate(source);
    source.next(1);
    source.error(new Error('boom'));
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    await expect(iterator.next()).rejects.toThrow('boom');
  });

  it('return() unsubscribes and drops what was queued', async () => {
    const source = new Subject<number>();
    const iterator = iterate(source);
    source.next(1);
    await iterator.return!();
    expect(source.observed).toBe(false);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});
