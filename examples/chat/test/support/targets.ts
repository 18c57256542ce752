// The chat servers a suite runs against: `describeEachChatServer` runs it once per server (`name [mock server]`,
// `name [ASP.NET Core]`), skipping a server that is not available in this run.

import { describe, inject } from 'vitest';

import type { ChatServerKind } from './servers.js';

export interface ChatTarget {
  readonly kind: ChatServerKind;
  readonly label: string;
  /** Base URL without a trailing slash (a placeholder when not available). */
  readonly url: string;
  readonly available: boolean;
}

export function chatTargets(): ChatTarget[] {
  const dotnet = inject('chatDotnetUrl');
  return [
    { kind: 'mock', label: 'mock server', url: inject('chatMockUrl'), available: true },
    {
      kind: 'aspnetcore',
      label: 'ASP.NET Core',
      url: dotnet ?? 'http://target-not-available.invalid',
      available: dotnet !== undefined,
    },
  ];
}

export function describeEachChatServer(name: string, fn: (target: ChatTarget) => void): void {
  for (const target of chatTargets()) {
    describe.skipIf(!target.available)(`${name} [${target.label}]`, () => fn(target));
  }
}
