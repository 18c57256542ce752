// Azure SignalR Service's flow across two processes, in Node: the app (the ASP.NET Core chat server with
// `--service-url`, its own process) answers negotiate with a redirect to the service and an access token for it; the
// service is played by the mock server (the chat hub at `/client`, taking only tokens signed with the service key and
// made for its URL). The redirect's token is used at the service only (the app's token never reaches it, the
// service's never reaches the app), and a reconnect starts again at the app.

import { fixedDelays, type HubConnection } from '@hubrx/core';
import { chatPreset, createMockHubServer, type MockHubServer } from '@hubrx/mock-server';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

import { chatServerApp } from '../../examples/chat/test/support/servers.js';
import { chatConnections, settle, signToken, until } from '../../examples/chat/test/support/clients.js';
import { startDotnetApp, type DotnetServer } from '../support/dotnet-server.js';
import { freePort } from '../support/child-process.js';
import { describeChromium } from '../browser/support/chromium.js';
import { chromiumPages, type PageWindow } from './support/browser.js';
import { describeScale, diagnostics, user } from './support/clients.js';

const SERVICE_KEY = 'hubrx-test-azure-signalr-access-key-0123456789';

/** The page's globals in the Chromium test. */
interface AzureWindow extends PageWindow {
  chat: HubConnection;
  statuses: string[];
}

interface SeenAtService {
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
}

/** The claims of a JWT (no check: the servers checked it). */
function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describeScale('Azure SignalR Service flow: the app redirects to the service (two processes)', () => {
  let service: MockHubServer;
  let app: DotnetServer;
  let serviceUrl: string;
  const seen: SeenAtService[] = [];
  const connect = chatConnections(() => app.url);

  beforeAll(async () => {
    const port = await freePort();
    serviceUrl = `http://127.0.0.1:${port}/client/?hub=chat`;
    const preset = chatPreset({ signingKey: SERVICE_KEY });
    service = await createMockHubServer({
      ...preset,
      port,
      hubs: { '/client': preset.hubs!['/hubs/chat']! },
      routes: [],
      auth: { signingKey: SERVICE_KEY, audience: serviceUrl },
      middleware: [
        (request, next, { url }) => {
          const header = request.headers.get('authorization')?.replace(/^Bearer /, '');
          seen.push({
            method: request.method,
            path: url.pathname,
            token: header ?? url.searchParams.get('access_token') ?? undefined,
          });
          return next();
        },
      ],
    });
    app = await startDotnetApp(chatServerApp, {
      // The Chromium test's page is served by the app, as a real app serves its front end.
      extraArgs: [
        '--service-url',
        serviceUrl,
        '--diagnostics',
        '--static',
        `/scale/=${inject('scaleSite')!}`,
      ],
      env: { HUBRX_CHAT_SERVICE_KEY: SERVICE_KEY },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await service?.close();
  });

  it.each(['webSockets', 'serverSentEvents', 'longPolling'] as const)(
    'connects at the service with its token only, and reconnects through the app (%s)',
    async (transport) => {
      const name = user('azure');
      const connection = connect(name, {
        transports: [transport],
        reconnect: fixedDelays([0, 200, 500, 1000]),
      });
      const appBefore = (await diagnostics(app.url)).requests.length;
      const serviceBefore = seen.length;
      await settle(connection.start(), 'start');
      // The service took the user from the redirect's token.
      expect(await settle(connection.invoke('OnlineUsers'), 'OnlineUsers')).toContain(name);
      const first = connection.state.connectionId;

      // The service dropped the connection: the client starts over at the app, then the service again.
      const handle = service.hub('/client').connections.find((c) => c.user?.id === name);
      expect(handle).toBeDefined();
      // The connection's own request (for WebSockets the upgrade, which the mock's middleware does not see) was
      // authenticated with the service's token.
      expect(handle!.user?.claims).toMatchObject({ sub: name, aud: serviceUrl });
      handle!.drop();
      await until(
        () => connection.state.status === 'connected' && connection.state.connectionId !== first,
        'reconnected',
        10_000,
      );
      expect(await settle(connection.invoke('OnlineUsers'), 'OnlineUsers')).toContain(name);

      // The app saw two negotiates, answered 200, and nothing else (no transport request, no service token: a 401).
      const atApp = (await diagnostics(app.url)).requests.slice(appBefore);
      expect(atApp.map((r) => `${r.kind} ${r.status}`)).toEqual(['negotiate 200', 'negotiate 200']);
      // Everything the service saw carried a token made for it by the app: the user, its URL, the service key.
      const atService = seen.slice(serviceBefore);
      expect(atService.filter((r) => r.path === '/client/negotiate')).toHaveLength(2);
      if (transport !== 'webSockets') expect(atService.length).toBeGreaterThan(2);
      for (const request of atService) {
        expect(request.token).toBeDefined();
        expect(claims(request.token!)).toMatchObject({ sub: name, nameid: name, aud: serviceUrl });
      }
      await connection.stop();
    },
  );

  it("the service refuses the app's own token, and the app the service's", async () => {
    const appToken = signToken(user('azure'));
    const negotiate = await fetch(`${app.url}/hubs/chat/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${appToken}` },
    });
    expect(negotiate.status).toBe(200);
    const redirect = (await negotiate.json()) as { url: string; accessToken: string };
    expect(redirect.url).toBe(serviceUrl);
    const withAppToken = await fetch(`${serviceUrl.replace('/?', '/negotiate?')}&negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${appToken}` },
    });
    expect(withAppToken.status).toBe(401);
    const atApp = await fetch(`${app.url}/hubs/chat/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${redirect.accessToken}` },
    });
    expect(atApp.status).toBe(401);
  });

  describeChromium('in Chromium (the page served by the app, the service on another origin)', () => {
    const pages = chromiumPages();

    it.each(['webSockets', 'serverSentEvents', 'longPolling'] as const)(
      'connects at the service with its token only, and reconnects through the app (%s)',
      async (transport) => {
        const name = user('azure-page');
        const { page } = await pages.open(app.url);
        const appBefore = (await diagnostics(app.url)).requests.length;
        const serviceBefore = seen.length;
        const first = await page.evaluate(
          async ({ token, transport }) => {
            const w = window as unknown as AzureWindow;
            const { hubrx } = w;
            const chat = hubrx.createHubConnection({
              url: '/hubs/chat',
              transports: [transport],
              accessTokenFactory: () => token,
              reconnect: hubrx.fixedDelays([0, 200, 500, 1000]),
            });
            w.chat = chat;
            w.statuses = [];
            chat.state$.subscribe((s) => w.statuses.push(s.status));
            await chat.start();
            return chat.state.connectionId!;
          },
          { token: signToken(name), transport },
        );
        expect(
          await page.evaluate(() => (window as unknown as AzureWindow).chat.invoke('OnlineUsers')),
        ).toContain(name);
        const handle = service.hub('/client').connections.find((c) => c.user?.id === name);
        expect(handle?.user?.claims).toMatchObject({ sub: name, aud: serviceUrl });

        // The service dropped the connection: the page starts over at the app, then the service again.
        handle!.drop();
        await page.waitForFunction(
          (first) => {
            const { chat } = window as unknown as AzureWindow;
            return chat.state.status === 'connected' && chat.state.connectionId !== first;
          },
          first,
          { polling: 20, timeout: 10_000 },
        );
        expect(
          await page.evaluate(() => (window as unknown as AzureWindow).chat.invoke('OnlineUsers')),
        ).toContain(name);
        expect(await page.evaluate(() => (window as unknown as AzureWindow).statuses)).toContain(
          'reconnecting',
        );

        // The app saw the page's two negotiates (its page and script too, from the static files: not SignalR requests).
        const atApp = (await diagnostics(app.url)).requests.slice(appBefore);
        expect(atApp.map((r) => `${r.kind} ${r.status}`)).toEqual(['negotiate 200', 'negotiate 200']);
        // The service saw only its own tokens (a browser's CORS preflight carries none, by design: not counted).
        const atService = seen.slice(serviceBefore).filter((r) => r.method !== 'OPTIONS');
        expect(atService.filter((r) => r.path === '/client/negotiate')).toHaveLength(2);
        for (const request of atService) {
          expect(request.token).toBeDefined();
          expect(claims(request.token!)).toMatchObject({ sub: name, nameid: name, aud: serviceUrl });
        }
        await page.evaluate(() => (window as unknown as AzureWindow).chat.stop());
      },
    );
  });
});
