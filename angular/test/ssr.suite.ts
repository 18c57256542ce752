// Server rendering with @angular/platform-server's renderApplication, in Node as a server renders (no DOM): a page
// using every function, in components and a service, makes no HTTP request and opens nothing, and rendering is not
// held up (renderApplication waits for the app to be stable before it serializes).

import '@angular/compiler';
import {
  Component,
  inject,
  Injectable,
  InjectionToken,
  provideZoneChangeDetection,
  provideZonelessChangeDetection,
  signal,
  type OnInit,
} from '@angular/core';
import {
  bootstrapApplication,
  provideClientHydration,
  type BootstrapContext,
} from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHub, type SharedHub } from '@hubrx/core';
import {
  injectHub,
  injectHubEvent,
  injectHubHandler,
  injectHubInvoke,
  injectHubState,
  injectHubStream,
  ServerRenderError,
} from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { startServer, type TestServer } from '../../test/support/bindings/servers.js';

type Chat = SharedHub<ChatServer, ChatClient>;
const HUB = new InjectionToken<Chat>('chat hub');

@Injectable({ providedIn: 'root' })
class ChatService {
  readonly hub = inject(HUB);
  readonly connection = injectHub(this.hub);
  readonly state = injectHubState(this.hub);
  readonly history = injectHubStream(this.hub, 'Ticks', ['h', 10]);
  readonly messages = signal<string[]>([]);
  constructor() {
    injectHubEvent(this.hub, 'Message', (user) => this.messages.update((list) => [...list, user]));
    injectHubHandler(this.hub, 'Confirm', () => true);
  }
}

/** What the components' `ngOnInit` calls got: on the server, a refusal. */
const loads: Promise<unknown>[] = [];

@Component({
  selector: 'chat-room',
  template: `<p id="room">
    {{ chat.state().status }} {{ chat.connection.url }} {{ add.status() }} {{ count.status() }}
    {{ count.items().length }} {{ label() }}
  </p>`,
})
class Room implements OnInit {
  readonly chat = inject(ChatService);
  readonly label = signal('a');
  readonly add = injectHubInvoke(inject(HUB), 'Add');
  readonly count = injectHubStream(inject(HUB), 'Count', () => [this.label().length], { keep: 2 });
  ngOnInit() {
    loads.push(this.add.invoke(1, 2));
  }
}

@Component({ selector: 'chat-app', imports: [Room], template: `<chat-room />` })
class App {}

export function ssrSuite(detection: 'zoneless' | 'zone'): void {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer('port');
  });
  afterAll(() => server.close());

  function render(hub: Chat): Promise<string> {
    const bootstrap = (context: BootstrapContext) =>
      bootstrapApplication(
        App,
        {
          providers: [
            detection === 'zone' ? provideZoneChangeDetection() : provideZonelessChangeDetection(),
            provideServerRendering(),
            provideClientHydration(),
            { provide: HUB, useValue: hub },
          ],
        },
        context,
      );
    return renderApplication(bootstrap, {
      document: '<html><head></head><body><chat-app></chat-app></body></html>',
      url: 'http://app.test/',
      allowedHosts: ['app.test'],
    });
  }

  describe(`server rendering (${detection})`, () => {
    it('renderApplication makes no HTTP request, opens nothing, and is not held up', async () => {
      const fetch = vi.spyOn(globalThis, 'fetch');
      const hub = createHub<ChatServer, ChatClient>({ ...server.client, url: server.url });
      const relative = createHub<ChatServer, ChatClient>({ url: '/chat' });

      const html = await render(hub);
      expect(html).toMatch(new RegExp(`disconnected ${server.url} idle idle\\s+0 a`));
      // A relative URL needs a page: on the server the connection keeps it as given and is never started.
      expect(await render(relative)).toMatch(/disconnected \/chat idle idle/);

      // invoke() in ngOnInit is refused on the server, without connecting.
      expect(loads).toHaveLength(2);
      for (const load of loads) await expect(load).rejects.toBeInstanceOf(ServerRenderError);

      // Let anything that might have been started get as far as the network.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(fetch).not.toHaveBeenCalled();
      expect(server.stats).toEqual({ requests: 0, negotiates: 0, connections: 0 });
      expect(server.mock.connections).toHaveLength(0);
      for (const each of [hub, relative]) {
        expect(each.consumers).toBe(0);
        expect(each.connection.state.status).toBe('disconnected');
      }
      fetch.mockRestore();
    });
  });
}
