/**
 * The page of the Vue render benchmark (bench/render.ts), bundled for Chromium: 10,000 server events at full
 * speed into a list kept in refs, through `useHubEvent` or through a hand-written `onMounted` + `subscribe` + `ref`
 * component, over the same connection.
 */
import type { Subscription } from 'rxjs';
import { createApp, defineComponent, h, onBeforeUnmount, onMounted, onUpdated, ref } from 'vue';
import { createHub } from '@hubrx/core';
import { useHubEvent } from '@hubrx/vue';

interface BenchServer {
  Blast(count: number): void;
}
interface BenchClient {
  Tick(i: number): void;
}

export type Variant = 'composable' | 'hand';

const hub = createHub<BenchServer, BenchClient>({
  url: `${location.origin}/bench-hub`,
  transports: ['webSockets'],
  graceMs: Infinity,
});
hub.retain();

let renders = 0;
let target = 0;
let done: (() => void) | undefined;

/** The list shows the newest 100 events and the count (as a live feed would); the same for both variants. */
function feed() {
  const count = ref(0);
  const last = ref<number[]>([]);
  const push = (i: number) => {
    count.value++;
    if (last.value.length === 100) last.value.shift();
    last.value.push(i);
  };
  onUpdated(() => {
    if (count.value === target) done?.();
  });
  const render = () => {
    renders++;
    return h('section', [
      h('p', `${count.value} events`),
      h(
        'ul',
        last.value.map((i) => h('li', { key: i }, i)),
      ),
    ]);
  };
  return { push, render };
}

const WithComposable = defineComponent({
  setup() {
    const { push, render } = feed();
    useHubEvent(hub, 'Tick', push);
    return render;
  },
});

const ByHand = defineComponent({
  setup() {
    const { push, render } = feed();
    let subscription: Subscription | undefined;
    onMounted(() => {
      subscription = hub.connection.on('Tick').subscribe(([i]) => push(i));
    });
    onBeforeUnmount(() => subscription?.unsubscribe());
    return render;
  },
});

window.runRound = async (variant, count) => {
  const connection = await hub.ready();
  const container = document.createElement('div');
  document.body.append(container);
  const app = createApp(variant === 'composable' ? WithComposable : ByHand);
  app.mount(container);
  await new Promise((resolve) => setTimeout(resolve, 0));
  target = count;
  renders = 0;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const start = performance.now();
  await connection.send('Blast', count);
  await finished;
  const result = { ms: performance.now() - start, renders };
  app.unmount();
  container.remove();
  return result;
};
