import { parseArgs } from 'node:util';

import { DEMO_PASSWORD } from '../shared/contract.js';

export interface TerminalOptions {
  readonly user: string;
  readonly password: string;
  /** The chat server's base URL, no trailing slash. */
  readonly url: string;
}

export const USAGE =
  'Usage: npm run chat -- --user <name> [--password <password>] [--url http://127.0.0.1:5000]\n' +
  `Demo users: alice, bob, carol (password ${DEMO_PASSWORD}, the default).`;

/** The command line's options; throws an Error with a message for the user when they are wrong. */
export function parseOptions(argv: readonly string[]): TerminalOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      user: { type: 'string', short: 'u' },
      password: { type: 'string', short: 'p' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  if (values.user === undefined || values.user === '') throw new Error('--user is required.');
  const url = values.url ?? 'http://127.0.0.1:5000';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid --url '${url}'.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`Invalid --url '${url}': expected http or https.`);
  return { user: values.user, password: values.password ?? DEMO_PASSWORD, url: url.replace(/\/+$/, '') };
}
