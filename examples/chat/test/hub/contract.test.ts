// The mock server's chat preset keeps its own copy of the contract's constants (@hubrx/mock-server imports nothing
// from examples/): they must be the contract's. The ASP.NET Core server's are checked by behaviour (the other suites).

import {
  CHAT_DEMO_PASSWORD,
  CHAT_DEMO_USERS,
  CHAT_HISTORY_LENGTH,
  CHAT_MAX_LONG_MESSAGE_LENGTH,
  CHAT_MAX_MESSAGE_LENGTH,
  CHAT_ROOMS,
  presets,
} from '@hubrx/mock-server';
import { describe, expect, it } from 'vitest';

import {
  DEMO_PASSWORD,
  DEMO_USERS,
  HISTORY_LENGTH,
  MAX_LONG_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  ROOMS,
} from '../../shared/contract.js';

describe('the chat preset and the contract', () => {
  it('has the contract’s constants', () => {
    expect(CHAT_ROOMS).toEqual(ROOMS);
    expect(CHAT_MAX_MESSAGE_LENGTH).toBe(MAX_MESSAGE_LENGTH);
    expect(CHAT_MAX_LONG_MESSAGE_LENGTH).toBe(MAX_LONG_MESSAGE_LENGTH);
    expect(CHAT_HISTORY_LENGTH).toBe(HISTORY_LENGTH);
    expect(CHAT_DEMO_USERS).toEqual(DEMO_USERS);
    expect(CHAT_DEMO_PASSWORD).toBe(DEMO_PASSWORD);
  });

  it('is the CLI’s `chat` preset, which refuses bad settings', () => {
    expect(Object.keys(presets.chat!().hubs ?? {})).toEqual(['/hubs/chat']);
    expect(() => presets.chat!({ tokenLifetimeSeconds: 0 })).toThrow(/token lifetime/);
    expect(() => presets.chat!({ receiptTimeoutMs: -1 })).toThrow(/read receipt timeout/);
  });
});
