import type { MockHubOptions } from '../server/engine.js';
import { testPreset } from './test-hub.js';

/** Built-in presets by name (`--preset` of the CLI): each call returns fresh options (fresh counters). */
export const presets: Readonly<Record<string, () => MockHubOptions>> = {
  test: () => testPreset(),
};
