import { fileURLToPath } from 'node:url';

import type { ChatServerOptions } from './servers.js';

/** A folder both shared servers serve at `/site/` (the static-file suites). */
export const SITE_FIXTURE = fileURLToPath(new URL('../hub/fixtures/site', import.meta.url));

/** The settings of the servers the global setup starts: tokens of 60 s, read receipts waited for 1 s. */
export const SHARED_SERVER_OPTIONS = {
  tokenLifetimeSeconds: 60,
  receiptTimeoutMs: 1000,
  static: { '/site/': SITE_FIXTURE },
} as const satisfies ChatServerOptions;
