// Hydration of server-rendered HTML in jsdom: the page is rendered by @angular/platform-server, then bootstrapped
// over that DOM with provideClientHydration (zoneless: hydration.test.ts; zone.js: hydration.zone.test.ts).
// Hydration reuses the server's nodes and finishes when the app is first stable, which a connection (its sockets,
// its keep-alive timers) must not hold up; then the page shows the live hub.
import '@angular/compiler';
import {
  Component,
  inject,
  InjectionToken,
  provideZoneChangeDetection,
  provideZonelessChangeDetection,
  signal,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import {
  bootstrapApplication,
  provideClientHydration,
  type BootstrapContext,
} from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHub, type SharedHub } from '@hubrx/core';
import { injectHubEvent, injectHubState, injectHubStream } from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { startServer, type TestServer } from '../../test/support/bindings/servers.js';

type Chat = SharedHub<ChatServer, ChatClient>;
const HUB = new InjectionToken<Chat>('chat hub');

@Component({
  selector: 'chat-app',
  template: `<p id="status">{{ state().status }}</p>
    <p id="count">{{ count.items().join(',') }} {{ count.status() }}</p>
    <p id="last">{{ last() }} / {{ plain }}</p>`,
})
class App {
  readonly state = injectHubState(inject(HUB));
  readonly count = injectHubStream(inject(HUB), 'Count', [3]);
  readonly last = signal('');
  // A plain field too, as zone.js apps have: the handler runs in the zone, which checks the view after it.
  plain = '';
  constructor() {
    injectHubEvent(inject(HUB), 'Message', (user, text) => {
      this.plain = `${user}: ${text}`;
      this.last.set(this.plain);
    });
  }
}

export function hydrationSuite(detection: 'zoneless' | 'zone'): void {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer('port');
  });
  afterAll(() => server.close());

  describe(`hydration (${detection})`, () => {
    it('hydrates the server-rendered page without waiting for the connection, then shows the live hub', async () => {
      // The system clock: real keep-alive timers (which would keep a zone.js app unstable in Angular's zone).
      const hub = createHub<ChatServer, ChatClient>({ ...server.client, url: server.url });
      const providers = (more: (Provider | EnvironmentProviders)[]) => [
        detection === 'zone' ? provideZoneChangeDetection() : provideZonelessChangeDetection(),
        provideClientHydration(),
        { provide: HUB, useValue: hub },
        ...more,
      ];
      const html = await renderApplication(
        (context: BootstrapContext) =>
          bootstrapApplication(App, { providers: providers([provideServerRendering()]) }, context),
        {
          document: '<html><head></head><body><chat-app></chat-app></body></html>',
          url: 'http://localhost:3000/',
          allowedHosts: ['localhost'],
        },
      );
      expect(html).toContain('ngh=');
      expect(server.stats.requests).toBe(0);

      document.open();
      document.write(html);
      document.close();
      const serverStatus = document.getElementById('status')!;
      expect(serverStatus.textContent).toBe('disconnected');

      const errors = vi.spyOn(console, 'error');
      const app = await bootstrapApplication(App, { providers: providers([]) });
      const stable = await Promise.race([
        app.whenStable().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000)),
      ]);
      expect(stable).toBe(true);
      // Hydrated: the server's nodes were kept, not rendered again.
      expect(document.getElementById('status')).toBe(serverStatus);
      await vi.waitFor(() => expect(serverStatus.textContent).toBe('connected'), { timeout: 5000 });
      await vi.waitFor(() => expect(document.getElementById('count')!.textContent).toBe('0,1,2 complete'), {
        timeout: 5000,
      });
      // Stable again while connected.
      await expect(app.whenStable()).resolves.toBeUndefined();

      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await vi.waitFor(() => expect(document.getElementById('last')!.textContent).toBe('ann: hi / ann: hi'), {
        timeout: 5000,
      });
      expect(server.stats.connections).toBe(1);
      expect(errors).not.toHaveBeenCalled();
      errors.mockRestore();

      app.destroy();
      await Promise.resolve(); // the stream's observer lets go after the current task's microtasks
      expect(hub.consumers).toBe(0);
      await hub.connection.stop();
    });
  });
}
