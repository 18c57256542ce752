import { afterEach, describe, expect, it } from 'vitest';
import { waitToRetry } from '../../src/client/environment.js';
import { VirtualClock } from '../support/virtual-clock.js';

const scope = globalThis as unknown as Record<string, unknown>;
let restore: (() => void)[] = [];

/** Gives Node's globalThis the browser bits `waitToRetry` looks for. */
function browserLike(onLine: boolean) {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
  const navigator = { onLine };
  const saved = { addEventListener: scope.addEventListener, removeEventListener: scope.removeEventListener };
  const savedDocument = Object.getOwnPropertyDescriptor(globalThis, 'document');
  const savedNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  scope.addEventListener = window.addEventListener.bind(window);
  scope.removeEventListener = window.removeEventListener.bind(window);
  Object.defineProperty(globalThis, 'document', { value: document, configurable: true });
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true });
  restore.push(() => {
    scope.addEventListener = saved.addEventListener;
    scope.removeEventListener = saved.removeEventListener;
    if (savedDocument) Object.defineProperty(globalThis, 'document', savedDocument);
    else delete scope.document;
    if (savedNavigator) Object.defineProperty(globalThis, 'navigator', savedNavigator);
  });
  return { window, document, navigator };
}

afterEach(() => {
  for (const undo of restore.reverse()) undo();
  restore = [];
});

describe('waitToRetry', () => {
  it('is a plain timer outside browsers', async () => {
    const clock = new VirtualClock();
    let done = false;
    void waitToRetry(clock, 1000, new AbortController().signal).then(() => (done = true));
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });

  it('an online event or the page becoming visible ends the wait at once, removing its listeners', async () => {
    const { window, document } = browserLike(true);
    const clock = new VirtualClock();
    let done = false;
    void waitToRetry(clock, 60_000, new AbortController().signal).then(() => (done = true));
    window.dispatchEvent(new Event('online'));
    await clock.advance(0);
    expect(done).toBe(true);
    expect(clock.pending).toBe(0);

    done = false;
    void waitToRetry(clock, 60_000, new AbortController().signal).then(() => (done = true));
    document.dispatchEvent(new Event('visibilitychange'));
    await clock.advance(0);
    expect(done).toBe(false);
    document.visibilityState = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    await clock.advance(0);
    expect(done).toBe(true);
  });

  it('while offline, waits past the delay until the online event', async () => {
    const { window, navigator } = browserLike(false);
    const clock = new VirtualClock();
    let done = false;
    void waitToRetry(clock, 1000, new AbortController().signal).then(() => (done = true));
    await clock.advance(10_000);
    expect(done).toBe(false);
    navigator.onLine = true;
    window.dispatchEvent(new Event('online'));
    await clock.advance(0);
    expect(done).toBe(true);
  });

  it('rejects on abort and leaves no timer or listener', async () => {
    const { window } = browserLike(true);
    const clock = new VirtualClock();
    const controller = new AbortController();
    const wait = waitToRetry(clock, 1000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(wait).rejects.toThrow('stopped');
    expect(clock.pending).toBe(0);
    // A later online event must not reach a removed listener (nothing to observe but no throw).
    window.dispatchEvent(new Event('online'));
  });
});
