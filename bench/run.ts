/**
 * `npm run bench [-- <suite>...]`: hubrx against the official @microsoft/signalr client in the same process, on
 * the same data or server, reported as ratios (never asserted: the figures go in the notes); and the mock server
 * under load.
 */
import { browserBenchmark } from './browser.js';
import { clientBenchmark } from './client.js';
import { codecBenchmarks } from './codecs.js';
import { printResults } from './harness.js';
import { hostileBenchmark } from './hostile.js';
import { loadBenchmark } from './load.js';
import { reactRenderBenchmark } from './react-render.js';
import { vueRenderBenchmark } from './vue-render.js';

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
  react: reactRenderBenchmark,
  vue: vueRenderBenchmark,
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
