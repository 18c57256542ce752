import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { MessageBuffer } from '../../src/client/message-buffer.js';
import { MessageType, type HubMessage } from '../../src/protocol/messages.js';
import { VirtualClock } from '../support/virtual-clock.js';

const item = (n: number): HubMessage => ({ type: MessageType.StreamItem, invocationId: '1', item: n });
const ping: HubMessage = { type: MessageType.Ping };

function setup(limit = 100) {
  const clock = new VirtualClock();
  const acks: number[] = [];
  const buffer = new MessageBuffer(clock, limit, (id) => acks.push(id));
  return { clock, acks, buffer };
}

describe('MessageBuffer: sending', () => {
  it('keeps sequenced messages until acked and replays the rest after a Sequence', () => {
    const { buffer } = setup();
    for (const data of ['a', 'b', 'c', 'd']) buffer.track(MessageType.Invocation, data);
    buffer.ack(2);
    const replayed: (string | Uint8Array)[] = [];
    let sequence = 0;
    buffer.replay(
      (id) => (sequence = id),
      (data) => replayed.push(data),
    );
    expect(sequence).toBe(3);
    expect(replayed).toEqual(['c', 'd']);
    expect(buffer.unacknowledged).toEqual({ count: 2, bytes: 2 });
  });

  it('an empty buffer announces the next id', () => {
    const { buffer } = setup();
    buffer.track(MessageType.Invocation, 'a');
    buffer.ack(1);
    let sequence = 0;
    buffer.replay(
      (id) => (sequence = id),
      () => undefined,
    );
    expect(sequence).toBe(2);
  });

  it('asks writers to wait past the limit, until acks bring it back under', async () => {
    const { buffer } = setup(10);
    buffer.track(MessageType.Invocation, '12345');
    expect(buffer.pressure()).toBeUndefined();
    buffer.track(MessageType.Invocation, '1234567');
    const wait = buffer.pressure();
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void wait!.then(() => (released = true));
    buffer.ack(1);
    await Promise.resolve();
    expect(released).toBe(true);
  });

  it('counts bytes of binary messages', () => {
    const { buffer } = setup();
    buffer.track(MessageType.Invocation, new Uint8Array(40));
    expect(buffer.unacknowledged).toEqual({ count: 1, bytes: 40 });
  });

  it('compacts after many acks without losing order', () => {
    const { buffer } = setup(1e9);
    for (let i = 1; i <= 5000; i++) buffer.track(MessageType.Invocation, String(i));
    buffer.ack(4000);
    const replayed: (string | Uint8Array)[] = [];
    buffer.replay(
      () => undefined,
      (data) => replayed.push(data),
    );
    expect(replayed).toHaveLength(1000);
    expect(replayed[0]).toBe('4001');
  });
});

describe('MessageBuffer: receiving', () => {
  it('acks the latest id once a second, not once per message', async () => {
    const { clock, acks, buffer } = setup();
    for (let i = 0; i < 100; i++) expect(buffer.accept(item(i))).toBe(true);
    expect(clock.armed).toBe(1);
    await clock.advance(1000);
    expect(acks).toEqual([100]);
    expect(buffer.accept(ping)).toBe(true);
    await clock.advance(1000);
    expect(acks).toEqual([100]);
  });

  it('drops everything until the Sequence after a reattach, then drops replayed duplicates', () => {
    const { buffer } = setup();
    for (let i = 1; i <= 5; i++) buffer.accept(item(i));
    buffer.detached();
    expect(buffer.accept(item(99))).toBe(false);
    buffer.resetSequence(4);
    expect([4, 5, 6, 7].map((n) => buffer.accept(item(n)))).toEqual([false, false, true, true]);
  });

  it('refuses a Sequence ahead of what was received', () => {
    const { buffer } = setup();
    buffer.accept(item(1));
    expect(() => buffer.resetSequence(5)).toThrow(ProtocolError);
  });

  it('leaves no timer after dispose', () => {
    const { clock, buffer } = setup();
    buffer.accept(item(1));
    buffer.dispose();
    expect(clock.pending).toBe(0);
  });
});
