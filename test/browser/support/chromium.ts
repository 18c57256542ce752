import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { describe } from 'vitest';

/** Debian's Chromium (Playwright's own browser download does not work here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** CI (and anyone who sets HUBRX_REQUIRE_CHROMIUM=1) fails without Chromium instead of skipping. */
const required =
  process.env.HUBRX_REQUIRE_CHROMIUM === '1' || ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/** Whether the Chromium suites run. */
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

/**
 * An id of this vitest run shared by its workers: the main process (the parent of a forked worker, or the
 * process of a worker thread) and its start time, so that a recycled pid is not taken for the same run.
 */
function runId(): string {
  const pid = isMainThread ? process.ppid : process.pid;
  let started = '';
  try {
    // Field 22 of /proc/<pid>/stat, after the parenthesised command name (which may contain spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    // Not Linux: the pid alone.
  }
  return `${pid}-${started}`;
}

if (!chromiumAvailable) {
  if (required) {
    // CI must run the browser suites: .ci/run installs Debian's chromium; if that failed, say so loudly.
    throw new Error(
      `[hubrx] CI=true or HUBRX_REQUIRE_CHROMIUM=1 but Chromium was not found at ${CHROMIUM_PATH}: the browser tests cannot run ` +
        '(.ci/run installs it with `apt-get install chromium`).',
    );
  }
  // One notice per run, however many browser test files import this.
  try {
    writeFileSync(join(tmpdir(), `hubrx-browser-skip-${runId()}`), '', { flag: 'wx' });
    console.warn(
      `[hubrx] Chromium not found at ${CHROMIUM_PATH}: skipping the browser tests (apt-get install chromium)`,
    );
  } catch {
    // Already printed in this run.
  }
}

/** A suite that needs Chromium: skipped locally without it (CI fails instead, above). */
export function describeChromium(name: string, fn: () => void): void {
  describe.skipIf(!chromiumAvailable)(name, fn);
}
