import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { equalArgs } from '../../src/shared/equal.js';
import { toStore } from '../../src/shared/store.js';

describe('toStore', () => {
  it('reads initial (or current) until subscribed, then the latest value; tells listeners on change only', () => {
    const source = new Subject<number>();
    let current = 5;
    const store = toStore(source, { initial: 0, current: () => current });
    expect(store.getSnapshot()).toBe(5);
    expect(store.getServerSnapshot()).toBe(0);
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    source.next(1);
    source.next(1);
    source.next(2);
    expect(store.getSnapshot()).toBe(2);
    expect(calls).toBe(2);
    stop();
    expect(source.observed).toBe(false);
    current = 9;
    expect(store.getSnapshot()).toBe(9);
  });

  it('subscribes to the source once for any number of listeners, retaining once per listener', () => {
    const source = new Subject<string>();
    let retained = 0;
    const store = toStore(source, { initial: '', retain: () => (retained++, () => retained--) });
    const listener = () => {};
    const a = store.subscribe(listener);
    const b = store.subscribe(listener); // the same function twice: two listeners
    expect(retained).toBe(2);
    a();
    a();
    expect(retained).toBe(1);
    expect(source.observed).toBe(true);
    b();
    expect(source.observed).toBe(false);
    expect(retained).toBe(0);
  });

  it("throws the source's error from getSnapshot until subscribed again", () => {
    const source = new Subject<number>();
    const store = toStore(source, { initial: 0 });
    let told = 0;
    const stop = store.subscribe(() => told++);
    source.error(new TypeError('bad'));
    expect(told).toBe(1);
    expect(() => store.getSnapshot()).toThrow(TypeError);
    stop();
    expect(store.getSnapshot()).toBe(0);
  });
});

describe('equalArgs', () => {
  it.each([
    [[1, 'a', null, undefined], [1, 'a', null, undefined], true],
    [[{ a: [1, { b: 2 }] }], [{ a: [1, { b: 2 }] }], true],
    [[{ a: 1, b: 2 }], [{ b: 2, a: 1 }], true],
    [[new Date(5)], [new Date(5)], true],
    [[NaN], [NaN], true],
    [[1], [1, 2], false],
    [[{ a: 1 }], [{ a: 1, b: undefined }], false],
    [[{ a: 1 }], [{ b: 1 }], false],
    [[[1, 2]], [[2, 1]], false],
    [[new Date(5)], [new Date(6)], false],
    [[new Map()], [new Map()], false], // class instances by identity
    [[{ a: 1 }], [[1]], false],
  ])('%j vs %j: %s', (a, b, expected) => {
    expect(equalArgs(a, b)).toBe(expected);
  });
});
