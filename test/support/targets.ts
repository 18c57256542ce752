// Which servers a suite runs against, and how a suite declares that.
//
// A *target* is a running server that serves the test hub contract (/work/shared/test-hub.md). The targets of a run
// are started by global-setup.ts, which provides their URLs. A suite written with `describeEachTarget` runs once per
// target and is skipped (not failed) for targets that are not available in this run; `describeReference` is for
// suites that only make sense against ASP.NET Core itself.
//
// Targets: ASP.NET Core (the oracle) and the hubrx mock server (`test` preset). Adding a target kind: start it in
// global-setup.ts, provide its URL under a new `ProvidedContext` key, and add an entry to TARGET_KINDS below.

import { describe, inject } from 'vitest';

export type TargetKind = 'aspnetcore' | 'mock';

export interface ServerTarget {
  readonly kind: TargetKind;
  /** Human-readable name, used in suite titles. */
  readonly label: string;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. Routes: `${url}/testhub`, ... */
  readonly url: string;
  /** False when this target is not available in this run (the suite is skipped; `url` is then a placeholder). */
  readonly available: boolean;
}

const TARGET_KINDS: readonly { kind: TargetKind; label: string; url: () => string | undefined }[] = [
  { kind: 'aspnetcore', label: 'ASP.NET Core', url: () => inject('referenceServerUrl') },
  { kind: 'mock', label: 'mock server', url: () => inject('mockServerUrl') },
];

/** Placeholder URL handed to skipped suites (their bodies are still collected, their tests never run). */
const UNAVAILABLE_URL = 'http://target-not-available.invalid';

function target(kind: TargetKind): ServerTarget {
  const entry = TARGET_KINDS.find((candidate) => candidate.kind === kind);
  if (entry === undefined) throw new Error(`Unknown target kind ${kind}`);
  const url = entry.url();
  return { kind, label: entry.label, url: url ?? UNAVAILABLE_URL, available: url !== undefined };
}

/** Every target kind of this run, available or not. */
export function serverTargets(): ServerTarget[] {
  return TARGET_KINDS.map((entry) => target(entry.kind));
}

/** The ASP.NET Core reference server. */
export function referenceTarget(): ServerTarget {
  return target('aspnetcore');
}

/** A suite that runs against the ASP.NET Core reference server only; skipped when it is not available. */
export function describeReference(name: string, fn: (target: ServerTarget) => void): void {
  const reference = referenceTarget();
  describe.skipIf(!reference.available)(name, () => fn(reference));
}

/** A suite that runs once against every target (`name [label]`); skipped for targets not available in this run. */
export function describeEachTarget(name: string, fn: (target: ServerTarget) => void): void {
  for (const each of serverTargets()) {
    describe.skipIf(!each.available)(`${name} [${each.label}]`, () => fn(each));
  }
}
