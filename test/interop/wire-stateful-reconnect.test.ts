// Stateful reconnect over raw WebSockets on /testhub (negotiate with useStatefulReconnect=true, handshake
// version 2): the server's Acks, Sequence + replay after the TCP connection drops, duplicates dropped, and the
// cases where no reconnect is possible (clean close, handshake version 1).

import { describe, expect, it } from 'vitest';

import { describeEachTarget } from '../support/targets.js';
import {
  completionOf,
  delay,
  hex,
  jsonRecord,
  ofType,
  RS,
  texts,
  wireSession,
  type RecordPredicate,
  type WireProtocol,
  type WireSession,
  type WireSocket,
} from '../support/wire.js';

const STATEFUL = 'negotiateVersion=1&useStatefulReconnect=true';

function ackOf(sequenceId: number): RecordPredicate {
  return (record) => ofType(8)(record) && record.message?.sequenceId === sequenceId;
}

/** Anything but an Ack (the server's ack timer may fire at any time, e.g. in the middle of a replay). */
const notAck: RecordPredicate = (record) => record.message?.type !== 8;

/** A negotiated stateful connection and its first WebSocket, handshaken with `version`. */
async function statefulSocket(
  wire: WireSession,
  protocol: WireProtocol = 'json',
  version = 2,
): Promise<{ url: string; socket: WireSocket }> {
  const { id, body } = await wire.negotiate('/testhub', STATEFUL);
  expect(body.useStatefulReconnect).toBe(true);
  const url = wire.connectionUrl('/testhub', id);
  const socket = await wire.socket(url, { protocol });
  expect((await socket.handshake(protocol, version)).hex).toBe('7b7d1e');
  return { url, socket };
}

// Every test has its own connections: run them concurrently (at most 5 at a time) to keep the file short.
describe.concurrent('wire: stateful reconnect', () => {
  describeEachTarget('wire: stateful reconnect', (target) => {
    it('acks the trackable messages it received: {"type":8,"sequenceId":n}', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { socket } = await statefulSocket(wire);
      await socket.invoke('Echo', ['one'], '1');
      await socket.invoke('Echo', ['two'], '2');
      // Pings are not trackable: they are not counted.
      await socket.send(jsonRecord({ type: 6 }));
      const ack = await socket.waitFor(ackOf(2), 2500, 'Ack 2');
      expect(ack.text).toBe(`{"type":8,"sequenceId":2}${RS}`);
      // Nothing more to acknowledge: no further Ack.
      expect(texts((await socket.drain(1200)).filter(ofType(8)))).toEqual([]);
    });

    it('sends the first Ack ~1 s after the handshake, on a timer per connection', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const measure = async (): Promise<number> => {
        const { socket } = await statefulSocket(wire);
        const start = Date.now();
        await socket.send(jsonRecord({ type: 1, invocationId: '1', target: 'Echo', arguments: ['x'] }));
        await socket.waitFor(ackOf(1), 2500, 'Ack 1');
        return Date.now() - start;
      };
      // Two connections half a second apart: with one timer per connection both wait ~1 s.
      const first = measure();
      await delay(500);
      const delays = await Promise.all([first, measure()]);
      for (const each of delays) {
        expect(each).toBeGreaterThan(800);
        expect(each).toBeLessThan(1300);
      }
    });

    it('after the TCP connection drops: Sequence first, then the unacknowledged messages again (JSON)', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { url, socket } = await statefulSocket(wire);
      await socket.invoke('Echo', ['one'], '1');
      await socket.send(
        jsonRecord({ type: 1, invocationId: '2', target: 'InvokeWithString', arguments: ['two'] }),
      );
      await socket.waitFor(completionOf('2'));
      const sent = socket.records.slice(1).filter(notAck);
      expect(sent.map((record) => record.text)).toEqual([
        `{"type":3,"invocationId":"1","result":"one"}${RS}`,
        `{"type":1,"target":"Message","arguments":["two"]}${RS}`,
        `{"type":3,"invocationId":"2","result":null}${RS}`,
      ]);
      socket.terminate();
      await socket.waitForClose();
      await delay(200);

      // No handshake on a reconnect: the server speaks first.
      const again = await wire.socket(url, { resume: true });
      const sequence = await again.next();
      expect(sequence.text).toBe(`{"type":9,"sequenceId":1}${RS}`);
      const replayed = [
        await again.waitFor(notAck),
        await again.waitFor(notAck),
        await again.waitFor(notAck),
      ];
      expect(replayed.map((record) => record.text)).toEqual(sent.map((record) => record.text));

      // The client resends what it sent before (a Sequence, then its messages); duplicates are dropped.
      await again.send(jsonRecord({ type: 9, sequenceId: 1 }));
      await again.send(jsonRecord({ type: 1, invocationId: '1', target: 'Echo', arguments: ['one'] }));
      await again.send(
        jsonRecord({ type: 1, invocationId: '2', target: 'InvokeWithString', arguments: ['two'] }),
      );
      await again.send(jsonRecord({ type: 1, invocationId: '3', target: 'Echo', arguments: ['three'] }));
      const three = await again.waitFor(completionOf('3'));
      expect(three.text).toBe(`{"type":3,"invocationId":"3","result":"three"}${RS}`);
      const ack = await again.waitFor(ackOf(3), 2500, 'Ack 3');
      expect(ack.text).toBe(`{"type":8,"sequenceId":3}${RS}`);
      const afterReplay = again.records.filter(notAck).slice(1 + sent.length);
      expect(afterReplay.map((record) => record.text)).toEqual([three.text]);
    });

    it('after the TCP connection drops: Sequence and replay in MessagePack', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { url, socket } = await statefulSocket(wire, 'messagepack');
      expect((await socket.invoke('Echo', ['x'], '1')).hex).toBe(hex('08 95 03 80 a1 31 03 a1 78'));
      socket.terminate();
      await socket.waitForClose();
      await delay(200);

      const again = await wire.socket(url, { protocol: 'messagepack', resume: true });
      expect((await again.next()).hex).toBe(hex('03 92 09 01')); // [9, 1]
      expect((await again.waitFor(notAck)).hex).toBe(hex('08 95 03 80 a1 31 03 a1 78')); // the replayed Completion
      expect(again.frames.every((frame) => frame.binary)).toBe(true);
      await again.sendMessage({ type: 9, sequenceId: 1 });
      await again.sendMessage({ type: 1, invocationId: '1', target: 'Echo', arguments: ['x'] }); // a duplicate
      await again.sendMessage({ type: 1, invocationId: '2', target: 'Echo', arguments: ['y'] });
      expect((await again.waitFor(completionOf('2'))).hex).toBe(hex('08 95 03 80 a1 32 03 a1 79'));
      expect(again.records.filter(completionOf('1'))).toHaveLength(1);
    });

    it('after an Ack from the client: Sequence with the next id and no replay', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { url, socket } = await statefulSocket(wire);
      await socket.invoke('Echo', ['one'], '1');
      await socket.send(jsonRecord({ type: 8, sequenceId: 1 }));
      await delay(100);
      socket.terminate();
      await socket.waitForClose();
      await delay(200);

      const again = await wire.socket(url, { resume: true });
      expect((await again.next()).text).toBe(`{"type":9,"sequenceId":2}${RS}`);
      expect(texts((await again.drain(300)).filter(notAck))).toEqual([]);
      expect((await again.invoke('Echo', ['after'], '2')).text).toBe(
        `{"type":3,"invocationId":"2","result":"after"}${RS}`,
      );
    });

    it('disposes the connection on a clean close frame: the reconnect gets 404', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { url, socket } = await statefulSocket(wire);
      await socket.invoke('Echo', ['one'], '1');
      socket.close(1000);
      await socket.waitForClose();
      await delay(200);
      const rejection = await wire.rejectedUpgrade(url);
      expect(rejection.status).toBe(404);
      expect(rejection.body).toBe('No Connection with that ID');
    });

    it('disables reconnect after a version 1 handshake: the reconnect gets 404', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { url, socket } = await statefulSocket(wire, 'json', 1);
      await socket.invoke('Echo', ['one'], '1');
      // No Acks with version 1.
      expect(texts((await socket.drain(1300)).filter(ofType(8)))).toEqual([]);
      socket.terminate();
      await socket.waitForClose();
      await delay(200);
      const rejection = await wire.rejectedUpgrade(url);
      expect(rejection.status).toBe(404);
      expect(rejection.body).toBe('No Connection with that ID');
    });

    it('closes with an error on a Sequence beyond what the server received', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { socket } = await statefulSocket(wire);
      await socket.invoke('Echo', ['one'], '1');
      await socket.send(jsonRecord({ type: 9, sequenceId: 5 }));
      expect((await socket.waitFor(ofType(7))).text).toBe(
        '{"type":7,"error":"Connection closed with an error. InvalidOperationException: Sequence ID greater than ' +
          `amount of messages we've received.","allowReconnect":true}${RS}`,
      );
      expect(await socket.waitForClose()).toEqual({ code: 1000, reason: '' });
    });

    it('a second WebSocket while the first is still open: the first is closed (1000), the second gets an empty 404', async (ctx) => {
      const wire = wireSession(target.url, ctx);
      const { url, socket } = await statefulSocket(wire);
      await socket.invoke('Echo', ['one'], '1');
      const rejection = await wire.rejectedUpgrade(url);
      expect(await socket.waitForClose(1000)).toEqual({ code: 1000, reason: '' });
      expect(rejection.status).toBe(404);
      expect(rejection.headers['content-type']).toBe('text/plain');
      expect(rejection.body).toBe('');
    });
  });
});
