// The chat hub's two servers for tests: @hubrx/mock-server's `chat` preset (in this process) and the ASP.NET Core chat
// server of examples/chat/dotnet (built once, on a free port; see test/support/dotnet-server.ts).

import { createMockHubServer, chatPreset } from '@hubrx/mock-server';

import {
  dotnetAvailable,
  requireDotnet,
  startDotnetApp,
  type DotnetApp,
  type StartOptions,
} from '../../../../test/support/dotnet-server.js';

export { dotnetAvailable, requireDotnet };

/** The ASP.NET Core chat server. */
export const chatServerApp: DotnetApp = {
  name: 'chat server',
  project: 'examples/chat/dotnet',
  output: 'examples/chat/dotnet/bin/hubrx-build',
  assembly: 'HubRx.ChatServer',
};

/** What both servers take (the CLI flags of the same names). */
export interface ChatServerOptions {
  /** `--token-lifetime`: the access tokens' lifetime in seconds. */
  readonly tokenLifetimeSeconds?: number;
  /** `--receipt-timeout-ms`: how long SendDirect waits for a read receipt. */
  readonly receiptTimeoutMs?: number;
  /** `--static`: folders served by URL prefix (absolute paths). */
  readonly static?: Readonly<Record<string, string>>;
}

export type ChatServerKind = 'mock' | 'aspnetcore';

/** A running chat server. */
export interface RunningChatServer {
  readonly kind: ChatServerKind;
  /** `http://127.0.0.1:port`, no trailing slash. */
  readonly url: string;
  stop(): Promise<void>;
}

function flags(options: ChatServerOptions): string[] {
  const args: string[] = [];
  if (options.tokenLifetimeSeconds !== undefined)
    args.push('--token-lifetime', String(options.tokenLifetimeSeconds));
  if (options.receiptTimeoutMs !== undefined)
    args.push('--receipt-timeout-ms', String(options.receiptTimeoutMs));
  for (const [prefix, dir] of Object.entries(options.static ?? {})) args.push('--static', `${prefix}=${dir}`);
  return args;
}

/** Builds (if needed) and starts the ASP.NET Core chat server on a free port of 127.0.0.1. */
export async function startDotnetChatServer(
  options: ChatServerOptions = {},
  start: Omit<StartOptions, 'extraArgs'> & { readonly extraArgs?: readonly string[] } = {},
): Promise<RunningChatServer> {
  const server = await startDotnetApp(chatServerApp, {
    ...start,
    extraArgs: [...flags(options), ...(start.extraArgs ?? [])],
  });
  return { kind: 'aspnetcore', url: server.url, stop: () => server.stop() };
}

/** Starts the mock server's `chat` preset on a free port of 127.0.0.1. */
export async function startMockChatServer(options: ChatServerOptions = {}): Promise<RunningChatServer> {
  const server = await createMockHubServer({
    ...chatPreset({
      ...(options.tokenLifetimeSeconds !== undefined && {
        tokenLifetimeSeconds: options.tokenLifetimeSeconds,
      }),
      ...(options.receiptTimeoutMs !== undefined && { receiptTimeoutMs: options.receiptTimeoutMs }),
    }),
    ...(options.static !== undefined && { static: options.static }),
  });
  return { kind: 'mock', url: server.url, stop: () => server.close() };
}

export function startChatServer(
  kind: ChatServerKind,
  options: ChatServerOptions = {},
): Promise<RunningChatServer> {
  return kind === 'mock' ? startMockChatServer(options) : startDotnetChatServer(options);
}
