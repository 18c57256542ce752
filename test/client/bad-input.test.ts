// A server sending bad frames: the client reports a ProtocolError, fails what was pending, reconnects, and throws
// nothing uncaught. The frames come from a raw connection endpoint (no hub protocol) that plays the server's part.
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, ProtocolError } from '@hubrx/core';
import { defineHub, type ConnectionHandler, type MockHubServer } from '@hubrx/mock-server';
import { client, recordStates, startServer, status } from './helpers.js';

const RS = '\x1e';
const decoder = new TextDecoder();

interface Script {
  /** Frames answering the handshake of the n-th connection (from 1). Default: the plain handshake answer. */
  readonly handshake?: (n: number) => readonly string[];
  /** Frames answering an invocation on the n-th connection. Default: a Completion with result `ok`. */
  readonly invocation?: (n: number, invocationId: string) => readonly string[];
}

const completion = (invocationId: string, result: unknown = 'ok') =>
  `${JSON.stringify({ type: 3, invocationId, result })}${RS}`;

/** A WebSocket endpoint that speaks just enough of the hub protocol, misbehaving where the script says. */
async function scriptedServer(script: Script): Promise<MockHubServer> {
  const numbers = new Map<string, number>();
  let count = 0;
  const handler: ConnectionHandler = {
    transports: ['WebSockets'],
    onConnected: (connection) => void numbers.set(connection.connectionId, ++count),
    onMessage(connection, data) {
      const n = numbers.get(connection.connectionId)!;
      const text = typeof data === 'string' ? data : decoder.decode(data);
      for (const record of text.split(RS).filter((r) => r !== '')) {
        const message = JSON.parse(record) as { protocol?: string; type?: number; invocationId?: string };
        let frames: readonly string[] = [];
        if (message.protocol !== undefined) frames = script.handshake?.(n) ?? [`{}${RS}`];
        else if (message.type === 1 && message.invocationId !== undefined) {
          frames = script.invocation?.(n, message.invocationId) ?? [completion(message.invocationId)];
        }
        for (const frame of frames) connection.send(frame);
      }
    },
  };
  return startServer({ connections: { '/fake': handler } });
}

const settle = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('malformed frames from the server', () => {
  const frames: { name: string; frame: (invocationId: string) => string }[] = [
    { name: 'not JSON', frame: () => `this is not json${RS}` },
    { name: 'not an object', frame: () => `[1,2,3]${RS}` },
    { name: 'an Invocation without target', frame: () => `{"type":1,"arguments":[]}${RS}` },
    { name: 'a string type', frame: () => `{"type":"3","invocationId":"0"}${RS}` },
    {
      name: 'a Completion with both result and error',
      frame: (id) => `{"type":3,"invocationId":"${id}","result":1,"error":"both"}${RS}`,
    },
  ];

  it.each(frames)(
    '$name: ProtocolError, the pending call fails, the client reconnects',
    async ({ frame }) => {
      const server = await scriptedServer({
        invocation: (n, id) => (n === 1 ? [frame(id)] : [completion(id)]),
      });
      const connection = client(`${server.url}/fake`, { transports: ['webSockets'] });
      const states = recordStates(connection);
      await connection.start();
      const from = states.states.length;

      const outcome = await settle(connection.invoke('Anything'));
      expect((outcome as { error: unknown }).error).toBeInstanceOf(ConnectionClosedError);
      expect(((outcome as { error: Error }).error.cause as Error | undefined)?.name).toBe('ProtocolError');
      const lost = await states.next(status('reconnecting'), { from });
      expect(lost.lastError).toBeInstanceOf(ProtocolError);
      expect((lost.lastError as ProtocolError).protocol).toBe('json');
      await states.next(status('connected'), { from });
      expect(await connection.invoke('Anything')).toBe('ok');
    },
  );

  it('a malformed frame in the same write as the handshake answer: ProtocolError, then the next start works', async () => {
    const server = await scriptedServer({
      handshake: (n) => (n === 1 ? [`{}${RS}`, `this is not json${RS}`] : [`{}${RS}`]),
    });
    const connection = client(`${server.url}/fake`, { transports: ['webSockets'] });
    const states = recordStates(connection);
    const started = await settle(connection.start());
    // Either start() fails with the error, or the connection is lost right after it: never silently accepted.
    if ('error' in started) {
      expect(started.error).toBeInstanceOf(ProtocolError);
      expect(connection.state.status).toBe('disconnected');
      await connection.start();
    } else {
      const lost = await states.next(status('reconnecting'), { from: 0, timeoutMs: 2000 });
      expect(lost.lastError).toBeInstanceOf(ProtocolError);
      await states.next(status('connected'), { from: states.states.indexOf(lost) });
    }
    expect(await connection.invoke('Anything')).toBe('ok');
  });

  it('a malformed handshake answer: start() rejects with a ProtocolError (handshake)', async () => {
    const server = await scriptedServer({ handshake: () => [`not a handshake${RS}`] });
    const connection = client(`${server.url}/fake`, { transports: ['webSockets'] });
    const outcome = await settle(connection.start());
    expect((outcome as { error: unknown }).error).toBeInstanceOf(ProtocolError);
    expect((outcome as { error: ProtocolError }).error.protocol).toBe('handshake');
    expect(connection.state.status).toBe('disconnected');
  });

  it('unknown message types are skipped, as the protocol says', async () => {
    const server = await scriptedServer({
      invocation: (_n, id) => [`{"type":99,"future":true}${RS}`, completion(id, 'after unknown')],
    });
    const connection = client(`${server.url}/fake`, { transports: ['webSockets'] });
    const states = recordStates(connection);
    await connection.start();
    const from = states.states.length;
    expect(await connection.invoke('Anything')).toBe('after unknown');
    expect(states.statuses(from)).toEqual([]);
  });

  it('messages cut across frames are reassembled, not refused', async () => {
    const server = await scriptedServer({
      handshake: () => ['{', `}${RS}`],
      invocation: (_n, id) => {
        const text = completion(id, 'whole');
        return [text.slice(0, 10), text.slice(10, 20), text.slice(20)];
      },
    });
    const connection = client(`${server.url}/fake`, { transports: ['webSockets'] });
    const states = recordStates(connection);
    await connection.start();
    const from = states.states.length;
    expect(await connection.invoke('Anything')).toBe('whole');
    expect(states.statuses(from)).toEqual([]);
  });
});

describe('a Close right after the handshake', () => {
  it('onConnected throws: the Close (no reconnect, with the error) is honoured, not reconnected in a loop', async () => {
    let connects = 0;
    const server = await startServer({
      detailedErrors: true,
      hubs: {
        '/hub': defineHub({
          methods: { Echo: (_ctx, text: string) => text },
          onConnected: () => {
            connects++;
            throw new Error('Not today.');
          },
        }),
      },
    });
    const connection = client(`${server.url}/hub`, { transports: ['webSockets'] });
    const states = recordStates(connection);

    await settle(connection.start());
    const closed = await states.next(status('disconnected'), { from: 1, timeoutMs: 2000 });
    expect(closed.lastError).toBeInstanceOf(Error);
    expect(closed.lastError!.message).toContain('Not today.');
    expect(states.statuses()).not.toContain('reconnecting');
    expect(connects).toBe(1);
  });
});
