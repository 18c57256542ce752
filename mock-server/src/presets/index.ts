import type { MockHubOptions } from '../server/engine.js';
import { chatPreset } from './chat.js';
import { testPreset } from './test-hub.js';

/** Settings the CLI hands to every preset; each uses those it knows. */
export interface PresetSettings {
  /** The chat's access-token lifetime in seconds (`--token-lifetime`). */
  readonly tokenLifetimeSeconds?: number;
  /** The chat's read-receipt timeout in milliseconds (`--receipt-timeout-ms`). */
  readonly receiptTimeoutMs?: number;
}

/** Built-in presets by name (`--preset` of the CLI): each call returns fresh options (fresh counters and state). */
export const presets: Readonly<Record<string, (settings?: PresetSettings) => MockHubOptions>> = {
  test: () => testPreset(),
  chat: (settings = {}) => chatPreset(settings),
};
