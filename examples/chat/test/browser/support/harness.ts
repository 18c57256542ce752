// What the chat's browser tests drive: a chat server (the mock server's `chat` preset in this process, or the ASP.NET
// Core chat server) serving the built front-ends, that can be killed and started again on the same port; Chromium
// pages signed in as a demo user; and a Node client of the hub that reads what the server holds.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHubConnection, type HubConnection } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { chatPreset, createMockHubServer, type MockHubServer } from '@hubrx/mock-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, inject } from 'vitest';
import { WebSocket } from 'ws';
import { describeChromium } from '../../../../../test/browser/support/chromium.js';
import { CHAT_DIR, DIST, FRONT_ENDS, type FrontEnd } from '../../../build.js';
import {
  DEMO_PASSWORD,
  type ChatClient,
  type ChatServer as ChatHub,
  type RoomMessage,
} from '../../../shared/contract.js';
import { startDotnetApp } from '../../../../../test/support/dotnet-server.js';
import { chatServerApp } from '../../support/servers.js';

export { FRONT_ENDS, type FrontEnd };

export type ServerKind = 'mock' | 'aspnetcore';
export const SERVER_LABELS: Record<ServerKind, string> = { mock: 'mock server', aspnetcore: 'ASP.NET Core' };

/** Screenshots of the front-ends, written by the tests (ignored by git). */
export const ARTIFACTS = join(CHAT_DIR, 'test/artifacts');

/** The servers this run tests against: the mock server always, ASP.NET Core where dotnet is (CI requires it). */
export function serverKinds(): ServerKind[] {
  return inject('chatDotnet') ? ['mock', 'aspnetcore'] : ['mock'];
}

/** A suite in Chromium, per server kind given (`name [mock server]`...). */
export function describeEach(
  name: string,
  kinds: readonly ServerKind[],
  fn: (kind: ServerKind) => void,
): void {
  describeChromium(name, () => {
    for (const kind of kinds) describe(`[${SERVER_LABELS[kind]}]`, () => fn(kind));
  });
}

export interface ServerOptions {
  readonly tokenLifetimeSeconds?: number;
  readonly receiptTimeoutMs?: number;
}

/** A chat server serving the front-ends: `/react/`, `/vue/`, `/angular/`, and React's development build at `/dev/react/`. */
export interface TestChatServer {
  readonly kind: ServerKind;
  readonly url: string;
  /** The mock server (its log and connections), while running; `undefined` for ASP.NET Core. */
  readonly mock: MockHubServer | undefined;
  /** Paths of the HTTP requests the mock server received (negotiates, token requests...). */
  readonly requests: string[];
  /** Ends the server at once: ASP.NET Core's process is killed (SIGKILL); the mock server closes every socket. */
  kill(): Promise<void>;
  /** Starts it again on the same port (a new process for ASP.NET Core: no state survives). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const STATIC = { '/': DIST };

export async function startServer(kind: ServerKind, options: ServerOptions = {}): Promise<TestChatServer> {
  const requests: string[] = [];
  if (kind === 'mock') {
    const create = (port = 0) =>
      createMockHubServer({
        ...chatPreset(options),
        static: STATIC,
        port,
        middleware: [
          (request, next, { url }) => {
            requests.push(`${request.method} ${url.pathname}`);
            return next();
          },
        ],
      });
    let mock: MockHubServer | undefined = await create();
    const url = mock.url;
    const port = Number(new URL(url).port);
    return {
      kind,
      url,
      requests,
      get mock() {
        return mock;
      },
      async kill() {
        await mock?.close();
        mock = undefined;
      },
      async restart() {
        mock = await create(port);
      },
      async stop() {
        await mock?.close();
        mock = undefined;
      },
    };
  }
  // The ASP.NET Core chat server's flags (ChatArguments.cs); --port (after --urls) makes it listen there.
  const flags = [
    ...Object.entries(STATIC).flatMap(([prefix, dir]) => ['--static', `${prefix}=${dir}`]),
    ...(options.tokenLifetimeSeconds === undefined
      ? []
      : ['--token-lifetime', `${options.tokenLifetimeSeconds}`]),
    ...(options.receiptTimeoutMs === undefined
      ? []
      : ['--receipt-timeout-ms', `${options.receiptTimeoutMs}`]),
  ];
  let server = await startDotnetApp(chatServerApp, { extraArgs: flags });
  const url = server.url;
  const port = new URL(url).port;
  return {
    kind,
    url,
    requests,
    mock: undefined,
    async kill() {
      if (server.pid !== undefined) process.kill(server.pid, 'SIGKILL');
      await server.stop();
    },
    async restart() {
      server = await startDotnetApp(chatServerApp, { extraArgs: [...flags, '--port', port] });
    },
    stop: () => server.stop(),
  };
}

export function connectBrowser(): Promise<Browser> {
  const endpoint = inject('chatBrowserEndpoint');
  if (endpoint === undefined) throw new Error('No Chromium in this run.');
  return chromium.connect(endpoint);
}

/** A page of a front-end, and what went wrong in it (uncaught errors, console errors and warnings). */
export interface ChatPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: string[];
}

const contexts = new Set<BrowserContext>();

/** Closes every page a test opened (also when it failed half-way, so that its users leave). */
export async function closePages(): Promise<void> {
  await Promise.all([...contexts].map((context) => context.close().catch(() => undefined)));
  contexts.clear();
}

/** Opens a front-end's page (`app`: `react`, `vue`, `angular`, or `dev/react`) in a new browser context. */
export async function openApp(browser: Browser, server: TestChatServer, app: string): Promise<ChatPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  contexts.add(context);
  context.on('close', () => contexts.delete(context));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // The browser reports every 4xx: a page without the login cookie asks GET /api/token once (401); a wrong
    // password is a 401 too; and a server that is down fails the requests of the reconnect attempts.
    if (/Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket connection to/.test(text)) return;
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console.${message.type()}: ${text}`);
  });
  await page.goto(`${server.url}/${app}/`);
  return { context, page, problems };
}

/** Signs in on the login form and waits until connected. */
export async function login(page: Page, user: string, password = DEMO_PASSWORD): Promise<void> {
  await page.getByTestId('login-user').fill(user);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await expect.poll(() => status(page), { timeout: 15_000 }).toBe('connected');
}

/** Opens a front-end and signs in. */
export async function openAs(
  browser: Browser,
  server: TestChatServer,
  app: string,
  user: string,
): Promise<ChatPage> {
  const opened = await openApp(browser, server, app);
  await login(opened.page, user);
  return opened;
}

/** The connection banner's state (`data-status`). */
export function status(page: Page): Promise<string | null> {
  return page.getByTestId('connection-status').getAttribute('data-status');
}

export function bannerText(page: Page): Promise<string> {
  return page.getByTestId('connection-status').innerText();
}

/** Types and sends a message in the open channel. */
export async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('message-send').click();
}

/** Opens a channel of the room list (`everyone`, `general`, ...). */
export async function openChannel(page: Page, name: string): Promise<void> {
  await page
    .getByTestId('room-list')
    .getByRole('button', { name: new RegExp(`^# ${name}\\b`) })
    .click();
  await expect.poll(() => page.locator('.main > header h2').innerText()).toBe(`# ${name}`);
}

/** The texts of the open channel's messages, oldest first. */
export function texts(page: Page): Promise<string[]> {
  return page.getByTestId('message-list').locator('[data-testid="message"] .text').allTextContents();
}

/** `user: text` of the open channel's messages. */
export async function lines(page: Page): Promise<string[]> {
  const items = page.getByTestId('message-list').locator('[data-testid="message"]');
  return items.evaluateAll((nodes) =>
    nodes.map(
      (node) => `${node.querySelector('.user')?.textContent}: ${node.querySelector('.text')?.textContent}`,
    ),
  );
}

export function notices(page: Page): Promise<string[]> {
  return page.getByTestId('message-list').locator('[data-testid="notice"]').allTextContents();
}

export async function presence(page: Page): Promise<string[]> {
  const names = await page.getByTestId('presence-user').allInnerTexts();
  return names.map((name) => name.replace(/\s*\(you\)$/, '').trim());
}

/** The error the page shows (`data-testid="error"`), or null. */
export async function shownError(page: Page): Promise<string | null> {
  const error = page.getByTestId('error');
  return (await error.count()) > 0 ? error.innerText() : null;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** A hub client in Node, signed in as `user` (POST /api/token), for what the server holds. */
export async function nodeClient(url: string, user: string): Promise<HubConnection<ChatHub, ChatClient>> {
  const token = async () => {
    const response = await fetch(`${url}/api/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
    });
    return ((await response.json()) as { token: string }).token;
  };
  const connection = createHubConnection<ChatHub, ChatClient>({
    url: `${url}/hubs/chat`,
    WebSocket: nodeWebSocket(WebSocket),
    transports: ['webSockets'],
    accessTokenFactory: token,
  });
  await connection.start();
  return connection;
}

/** The room's history as the server holds it (RoomHistory, through a Node client). */
export async function serverHistory(url: string, room: string): Promise<RoomMessage[]> {
  const client = await nodeClient(url, 'carol');
  try {
    const messages: RoomMessage[] = [];
    for await (const message of client.stream('RoomHistory', room)) messages.push(message);
    return messages;
  } finally {
    await client.stop();
  }
}
