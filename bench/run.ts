/**
 * `npm run bench [-- <suite>...]`: every benchmark compares hubrx with the official @microsoft/signalr client in
 * the same process, on the same data or server, and reports ratios (never asserted: figures go in the notes).
 */
import { codecBenchmarks } from './codecs.js';
import { printResults, type ComparisonResult } from './harness.js';

const suites: Record<string, { title: string; run: () => ComparisonResult[] | Promise<ComparisonResult[]> }> =
  {
    codecs: {
      title: 'Hub protocol codecs (ratio = official time / hubrx time; higher is better)',
      run: codecBenchmarks,
    },
  };

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in suites)) {
    console.error(`Unknown benchmark suite '${name}'. Known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}
console.log(`node ${process.version}, ${process.arch}; medians of interleaved samples`);
for (const [name, suite] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  printResults(suite.title, await suite.run());
}
