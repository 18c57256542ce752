/**
 * The page of the React render benchmark (bench/render.ts), bundled for Chromium: 10,000 server events at
 * full speed into a list kept in React state, through `useHubEvent` or through a hand-written
 * `useEffect` + `subscribe` + `useState` component, over the same connection.
 */
import { createElement as h, useEffect, useLayoutEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { createHub } from '@hubrx/core';
import { useHubEvent } from '@hubrx/react';

interface BenchServer {
  Blast(count: number): void;
}
interface BenchClient {
  Tick(i: number): void;
}

export type Variant = 'hook' | 'hand';

const hub = createHub<BenchServer, BenchClient>({
  url: `${location.origin}/bench-hub`,
  transports: ['webSockets'],
  graceMs: Infinity,
});
hub.retain();

/** The list shows the newest 100 events and the count (as a live feed would). */
interface List {
  readonly count: number;
  readonly last: readonly number[];
}
const EMPTY: List = { count: 0, last: [] };
const add = (list: List, i: number): List => ({
  count: list.count + 1,
  last: list.last.length < 100 ? [...list.last, i] : [...list.last.slice(1), i],
});

let renders = 0;
let target = 0;
let done: (() => void) | undefined;

function Feed({ list }: { list: List }) {
  renders++;
  useLayoutEffect(() => {
    if (list.count === target) done?.();
  });
  return h(
    'section',
    null,
    h('p', null, `${list.count} events`),
    h(
      'ul',
      null,
      list.last.map((i) => h('li', { key: i }, i)),
    ),
  );
}

function WithHook() {
  const [list, setList] = useState(EMPTY);
  useHubEvent(hub, 'Tick', (i) => setList((previous) => add(previous, i)));
  return h(Feed, { list });
}

function ByHand() {
  const [list, setList] = useState(EMPTY);
  useEffect(() => {
    const subscription = hub.connection
      .on('Tick')
      .subscribe(([i]) => setList((previous) => add(previous, i)));
    return () => subscription.unsubscribe();
  }, []);
  return h(Feed, { list });
}

window.runRound = async (variant, count) => {
  const connection = await hub.ready();
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  flushSync(() => root.render(h(variant === 'hook' ? WithHook : ByHand)));
  // Passive effects (the subscriptions) run after the commit.
  await new Promise((resolve) => setTimeout(resolve, 0));
  target = count;
  renders = 0;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const start = performance.now();
  await connection.send('Blast', count);
  await finished;
  const result = { ms: performance.now() - start, renders };
  root.unmount();
  container.remove();
  return result;
};
