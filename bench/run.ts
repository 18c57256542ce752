/**
 * `npm run bench [-- <suite>...]`: hubrx against the official @microsoft/signalr client in the same process, on
 * the same data or server, reported as ratios (never asserted: the figures go in the notes); and the mock server
 * under load.
 */
import { browserBenchmark } from './browser.js';
import { chatBenchmark } from './chat-browser.js';
import { clientBenchmark } from './client.js';
import { codecBenchmarks } from './codecs.js';
import { printResults } from './harness.js';
import { hostileBenchmark } from './hostile.js';
import { loadBenchmark } from './load.js';
import { renderBenchmark } from './render.js';
import { scaleBenchmark } from './scale.js';

const suites: Record<string, () => Promise<void>> = {
  codecs: async () => {
    printResults(
      'Hub protocol codecs (ratio = official time / hubrx time; higher is better)',
      codecBenchmarks(),
    );
    return Promise.resolve();
  },
  client: clientBenchmark,
  load: loadBenchmark,
  hostile: hostileBenchmark,
  browser: browserBenchmark,
  chat: chatBenchmark,
  scale: scaleBenchmark,
  react: () =>
    renderBenchmark({
      framework: 'React',
      page: 'react-render-page.ts',
      variants: { binding: 'hook', hand: 'hand' },
      hand: 'hand-written useEffect + subscribe + useState',
    }),
  vue: () =>
    renderBenchmark({
      framework: 'Vue',
      page: 'vue-render-page.ts',
      variants: { binding: 'composable', hand: 'hand' },
      hand: 'hand-written onMounted + subscribe + ref',
      // Vue's production build, as Vite makes it.
      define: {
        __VUE_OPTIONS_API__: 'false',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      },
    }),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in suites)) {
    console.error(`Unknown benchmark suite '${name}'. Known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}
console.log(`node ${process.version}, ${process.arch}; medians of interleaved samples`);
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
