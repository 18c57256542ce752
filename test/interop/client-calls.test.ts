// The hubrx client's calls on every target, over every transport × protocol pair: cold invocations and streams,
// cancellation (unsubscribe, AbortSignal, timeoutMs), and client results (GET /clientresult/{id}, AskClient).

import { AbortError, HubError, TimeoutError } from '@hubrx/core';
import type { HubConnection } from '@hubrx/core';
import { EMPTY, lastValueFrom, Observable, of, take, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';

import { within } from '../support/functional-helpers.js';
import {
  CLIENT_CASES,
  caseOptions,
  caseTitle,
  failure,
  next,
  serverError,
  settle,
  trackedConnections,
} from '../support/client-helpers.js';
import { describeEachTarget } from '../support/targets.js';

const NO_RESULT = "Client didn't provide a result.";

describeEachTarget('hubrx client: calls', (server) => {
  const create = trackedConnections();

  for (const each of CLIENT_CASES) {
    describe(caseTitle(each), () => {
      async function open(): Promise<HubConnection> {
        const connection = create(`${server.url}/testhub`, caseOptions(each));
        await settle(connection.start(), 'start');
        return connection;
      }

      /** `GET /clientresult/{connectionId}`: the server invokes `Result` on the connection and answers with it. */
      async function clientResult(connection: HubConnection): Promise<string> {
        const response = await within(
          fetch(`${server.url}/clientresult/${String(connection.state.connectionId)}`),
          'GET /clientresult',
        );
        expect(response.status).toBe(200);
        return response.text();
      }

      describe('cold calls', () => {
        it('invoke() does nothing until subscribed or awaited; each await is one invocation', async () => {
          const hub = await open();
          const messages: unknown[] = [];
          hub.on('Message').subscribe(([message]) => messages.push(message));
          const call = hub.invoke('InvokeWithString', 'cold');
          // A full round trip later, the unsubscribed call has still not been made.
          await settle(hub.invoke('InvokeWithString', 'marker'), 'InvokeWithString');
          expect(messages).toEqual(['marker']);
          await settle(call, 'first await');
          await settle(call, 'second await');
          expect(messages).toEqual(['marker', 'cold', 'cold']);
        });

        it('stream() is cold: a late subscriber gets every item; each subscription is its own stream', async () => {
          const hub = await open();
          const counter = hub.stream('Counter', 5, 0);
          // Subscribed a round trip later: the stream starts then, so nothing is lost.
          await settle(hub.invoke('Echo', 'later'), 'Echo');
          const [first, second] = await settle(
            Promise.all([lastValueFrom(counter.pipe(toArray())), lastValueFrom(counter.pipe(toArray()))]),
            'both subscriptions',
          );
          expect(first).toEqual([0, 1, 2, 3, 4]);
          expect(second).toEqual([0, 1, 2, 3, 4]);
        });

        it('for await loses no items while the consumer is slower than the stream', async () => {
          const hub = await open();
          const items: number[] = [];
          for await (const item of hub.stream('Counter', 50, 0)) {
            items.push(item as number);
            // A round trip per item: the stream's items arrive (and queue up) meanwhile.
            if (items.length % 10 === 1) await settle(hub.invoke('Echo', 'slow'), 'Echo');
          }
          expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
        });
      });

      describe('cancellation', () => {
        it('take(n) on a stream unsubscribes it; the connection goes on', async () => {
          const hub = await open();
          expect(
            await settle(lastValueFrom(hub.stream('Counter', 1000, 10).pipe(take(3), toArray())), 'Counter'),
          ).toEqual([0, 1, 2]);
          expect(await settle(hub.invoke('Echo', 'after'), 'Echo')).toBe('after');
        });

        it('breaking out of for await unsubscribes the stream; the connection goes on', async () => {
          const hub = await open();
          const items: number[] = [];
          for await (const item of hub.stream('Counter', 1000, 10)) {
            items.push(item as number);
            if (items.length === 2) break;
          }
          expect(items).toEqual([0, 1]);
          expect(await settle(hub.invoke('Echo', 'after'), 'Echo')).toBe('after');
        });

        it('aborting a stream with an AbortSignal fails it with AbortError and cancels it on the server', async () => {
          const hub = await open();
          const canceled = next(hub.on('StreamCanceled'), 'StreamCanceled');
          const controller = new AbortController();
          const stream = failure(
            lastValueFrom(hub.stream('InfiniteStream').with({ signal: controller.signal })),
            'InfiniteStream',
          );
          // The stream invocation went out before this round trip.
          await settle(hub.invoke('Echo', 'sync'), 'Echo');
          controller.abort(new Error('user navigated away'));
          const error = await stream;
          expect(error).toBeInstanceOf(AbortError);
          expect((error.cause as Error).message).toBe('user navigated away');
          expect(await canceled).toEqual([]);
        });

        it('aborting an invocation with an AbortSignal fails it with AbortError', async () => {
          const hub = await open();
          const controller = new AbortController();
          const delay = failure(hub.invoke('Delay', 10_000).with({ signal: controller.signal }), 'Delay');
          await settle(hub.invoke('Echo', 'sync'), 'Echo');
          controller.abort();
          expect(await delay).toBeInstanceOf(AbortError);
          expect(await settle(hub.invoke('Echo', 'after'), 'Echo')).toBe('after');
        });

        it('an already aborted signal fails the call at once', async () => {
          const hub = await open();
          const error = await failure(
            hub.invoke('Echo', 'never').with({ signal: AbortSignal.abort() }),
            'Echo',
          );
          expect(error).toBeInstanceOf(AbortError);
        });

        it('timeoutMs fails an invocation with a TimeoutError', async () => {
          const hub = await open();
          const error = await failure(hub.invoke('Delay', 10_000).with({ timeoutMs: 100 }), 'Delay');
          expect(error).toBeInstanceOf(TimeoutError);
          expect(error).toMatchObject({ timeoutMs: 100 });
          expect(await settle(hub.invoke('Delay', 10).with({ timeoutMs: 5_000 }), 'Delay')).toBe(10);
        });

        it('timeoutMs fails a stream with a TimeoutError and cancels it on the server', async () => {
          const hub = await open();
          const canceled = next(hub.on('StreamCanceled'), 'StreamCanceled');
          const error = await failure(
            lastValueFrom(hub.stream('InfiniteStream').with({ timeoutMs: 100 })),
            'InfiniteStream',
          );
          expect(error).toBeInstanceOf(TimeoutError);
          expect(await canceled).toEqual([]);
        });
      });

      describe('client results', () => {
        it('GET /clientresult: a handler returning a value', async () => {
          const hub = await open();
          hub.handle('Result', () => 10);
          expect(await clientResult(hub)).toBe('10');
        });

        it('GET /clientresult: a handler returning a Promise', async () => {
          const hub = await open();
          hub.handle('result', async () => {
            await Promise.resolve();
            return 11;
          });
          expect(await clientResult(hub)).toBe('11');
        });

        it('GET /clientresult: a handler returning an Observable (its first value)', async () => {
          const hub = await open();
          hub.handle('Result', () => of(12, 13));
          expect(await clientResult(hub)).toBe('12');
        });

        it('GET /clientresult: a throwing handler answers with its error text', async () => {
          const hub = await open();
          hub.handle('Result', () => {
            throw new Error('from callback');
          });
          expect(await clientResult(hub)).toBe('Error: from callback');
        });

        it('GET /clientresult: a rejected Promise or a failed Observable answers with its error text', async () => {
          const hub = await open();
          const rejected = hub.handle('Result', () => Promise.reject(new Error('async failure')));
          expect(await clientResult(hub)).toBe('Error: async failure');
          rejected.unsubscribe();
          hub.handle('Result', () => throwError(() => new Error('observable failure')));
          expect(await clientResult(hub)).toBe('Error: observable failure');
        });

        it(`GET /clientresult: "${NO_RESULT}" without a handler, with on() only, or after unsubscribing`, async () => {
          const hub = await open();
          expect(await clientResult(hub)).toBe(NO_RESULT);
          const observed = next(hub.on('Result'), 'Result');
          expect(await clientResult(hub)).toBe(NO_RESULT);
          expect(await observed).toEqual([]);
          const registration = hub.handle('Result', () => 1);
          registration.unsubscribe();
          expect(await clientResult(hub)).toBe(NO_RESULT);
        });

        it(`GET /clientresult: "${NO_RESULT}" for a handler returning undefined or an empty Observable`, async () => {
          const hub = await open();
          const registration = hub.handle('Result', () => undefined as never);
          expect(await clientResult(hub)).toBe(NO_RESULT);
          registration.unsubscribe();
          hub.handle('Result', () => EMPTY);
          expect(await clientResult(hub)).toBe(NO_RESULT);
        });

        it('AskClient returns what the handler answers: value, Promise, Observable', async () => {
          const hub = await open();
          const answers: ((prompt: string) => unknown)[] = [
            (prompt) => `value for ${prompt}`,
            async (prompt) => {
              await Promise.resolve();
              return `promise for ${prompt}`;
            },
            (prompt) => new Observable((subscriber) => subscriber.next(`observable for ${prompt}`)),
          ];
          const results: unknown[] = [];
          for (const answer of answers) {
            const registration = hub.handle('ClientResult', answer as never);
            results.push(await settle(hub.invoke('AskClient', 'q'), 'AskClient'));
            registration.unsubscribe();
          }
          expect(results).toEqual(['value for q', 'promise for q', 'observable for q']);
        });

        it('AskClient fails with HubException: <the handler error text>', async () => {
          const hub = await open();
          hub.handle('ClientResult', () => {
            throw new Error('no answer');
          });
          const error = await failure(hub.invoke('AskClient', 'q'), 'AskClient');
          expect(error).toBeInstanceOf(HubError);
          expect(error.message).toBe(serverError('AskClient', 'HubException', 'Error: no answer'));
        });

        it(`AskClient fails with HubException: ${NO_RESULT} without a handler`, async () => {
          const hub = await open();
          const error = await failure(hub.invoke('AskClient', 'q'), 'AskClient');
          expect(error).toBeInstanceOf(HubError);
          expect(error.message).toBe(serverError('AskClient', 'HubException', NO_RESULT));
        });

        it('a second handler for the same method is refused', async () => {
          const hub = await open();
          hub.handle('ClientResult', () => 'one');
          expect(() => hub.handle('clientresult', () => 'two')).toThrow(/already registered/);
          expect(await settle(hub.invoke('AskClient', 'q'), 'AskClient')).toBe('one');
        });
      });
    });
  }
});
