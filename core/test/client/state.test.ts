import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/errors.js';
import { initialState, reduceState, type ConnectionState, type StateEvent } from '../../src/client/state.js';

function run(...events: StateEvent[]): ConnectionState[] {
  const states: ConnectionState[] = [];
  let state = initialState;
  for (const event of events) states.push((state = reduceState(state, event)));
  return states;
}

describe('reduceState', () => {
  it('starts disconnected', () => {
    expect(initialState).toEqual({
      status: 'disconnected',
      connectionId: null,
      transport: null,
      attempt: 0,
      nextRetryInMs: null,
      nextRetryAt: null,
      lastError: null,
    });
  });

  it('goes connecting → connected → disconnecting → disconnected', () => {
    const states = run(
      { type: 'starting' },
      { type: 'connected', connectionId: 'c1', transport: 'webSockets' },
      { type: 'stopping' },
      { type: 'closed', error: null },
    );
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'disconnecting', 'disconnected']);
    expect(states[1]).toMatchObject({ connectionId: 'c1', transport: 'webSockets', attempt: 0 });
    expect(states[2]).toMatchObject({ connectionId: 'c1' });
    expect(states[3]).toEqual(initialState);
  });

  it('shows reconnect attempts and their delays, and keeps why the connection was lost', () => {
    const lost = new TimeoutError('silence', 30_000);
    const states = run(
      { type: 'starting' },
      { type: 'connected', connectionId: 'c1', transport: 'webSockets' },
      { type: 'lost', error: lost },
      { type: 'waiting', attempt: 1, delayMs: 0, at: 1000, error: lost },
      { type: 'attempting', attempt: 1 },
      { type: 'waiting', attempt: 2, delayMs: 750, at: 1750, error: lost },
      { type: 'attempting', attempt: 2 },
      { type: 'connected', connectionId: 'c2', transport: 'longPolling' },
    );
    expect(states[2]).toMatchObject({
      status: 'reconnecting',
      connectionId: 'c1',
      transport: null,
      lastError: lost,
    });
    expect(states[5]).toMatchObject({
      status: 'reconnecting',
      attempt: 2,
      nextRetryInMs: 750,
      nextRetryAt: 1750,
    });
    expect(states[6]).toMatchObject({
      status: 'reconnecting',
      attempt: 2,
      nextRetryInMs: null,
      nextRetryAt: null,
    });
    expect(states[7]).toMatchObject({
      status: 'connected',
      connectionId: 'c2',
      transport: 'longPolling',
      attempt: 0,
    });
    expect(states[7]!.lastError).toBe(lost);
  });

  it('a failed close keeps its error; a stop keeps the previous one', () => {
    const error = new Error('gone');
    expect(run({ type: 'starting' }, { type: 'closed', error })[1]).toMatchObject({
      status: 'disconnected',
      lastError: error,
    });
    const stopped = run(
      { type: 'starting' },
      { type: 'connected', connectionId: 'c1', transport: 'webSockets' },
      { type: 'lost', error },
      { type: 'stopping' },
      { type: 'closed', error: null },
    );
    expect(stopped[3]).toMatchObject({ status: 'disconnecting', nextRetryInMs: null, nextRetryAt: null });
    expect(stopped[4]).toMatchObject({ status: 'disconnected', lastError: error });
  });

  it('stopping a disconnected connection changes nothing (same object, no emission)', () => {
    expect(reduceState(initialState, { type: 'stopping' })).toBe(initialState);
  });

  it('retrying the first start shows attempts while connecting', () => {
    const refused = new Error('refused');
    const states = run(
      { type: 'starting' },
      { type: 'waiting', attempt: 1, delayMs: 100, at: 100, error: refused },
    );
    expect(states[1]).toMatchObject({
      status: 'connecting',
      attempt: 1,
      nextRetryInMs: 100,
      nextRetryAt: 100,
      lastError: refused,
    });
  });
});
