// The inject functions against a real SignalR hub server: the mock server on a port or as msw handlers, in jsdom,
// in a zoneless test bed and in a zone.js one (the *.test.ts files pick one of each). Server-side facts (negotiates,
// connections, CancelInvocations, client-result errors) are counted by the server.

import {
  afterEveryRender,
  ApplicationRef,
  Component,
  Directive,
  inject,
  Injectable,
  InjectionToken,
  Injector,
  input,
  NgZone,
  provideZoneChangeDetection,
  provideZonelessChangeDetection,
  signal,
  type OnInit,
  type Provider,
  type Signal,
  type Type,
  VERSION,
} from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createHub,
  fixedDelays,
  MessageType,
  noReconnect,
  type ConnectionState,
  type HubMessage,
  type ReconnectPolicy,
  type SharedHub,
} from '@hubrx/core';
import {
  injectHub,
  injectHubEvent,
  injectHubHandler,
  injectHubInvoke,
  injectHubState,
  injectHubStream,
  type HubInvoke,
} from '../src/index.js';
import type { ChatClient, ChatServer } from '../../test/support/bindings/chat.js';
import { TestClock } from '../../test/support/bindings/clock.js';
import { signalInput } from './support/testbed.js';
import { startServer, type Mode, type TestServer } from '../../test/support/bindings/servers.js';

type Chat = SharedHub<ChatServer, ChatClient>;
/** How the test bed runs change detection. */
export type Detection = 'zoneless' | 'zone';

/** The hub under test, as an app would provide a hub through DI. */
const HUB = new InjectionToken<Chat>('chat hub');

/** Real servers and sockets: room for a busy CI machine. */
const until = (assertion: () => void) => vi.waitFor(assertion, { timeout: 5000, interval: 10 });

@Component({
  selector: 'chat-status',
  template: `{{ state().status }} {{ state().connectionId }}`,
})
class Status {
  readonly state = injectHubState(inject(HUB));
}

export function bindingSuite(mode: Mode, detection: Detection): void {
  let server: TestServer;
  const hubs: Chat[] = [];

  beforeAll(async () => {
    server = await startServer(mode);
  });
  afterEach(async () => {
    TestBed.resetTestingModule();
    await Promise.all(hubs.splice(0).map((hub) => hub.connection.stop()));
    server.reset();
  });
  afterAll(() => server.close());

  function chatHub(options: { reconnect?: ReconnectPolicy; clock?: TestClock | null } = {}): {
    hub: Chat;
    clock: TestClock;
  } {
    const clock = new TestClock();
    const hub = createHub<ChatServer, ChatClient>({
      ...server.client,
      url: server.url,
      // `null`: the system clock (real keep-alive timers).
      ...(options.clock !== null && { clock: options.clock ?? clock }),
      reconnect: options.reconnect ?? fixedDelays([0, 0, 0]),
    });
    hubs.push(hub);
    return { hub, clock };
  }

  /** A fixture of `component` in a test bed with `hub` provided, detecting changes by itself. */
  function mount<T>(component: Type<T>, hub: Chat, providers: Provider[] = []): ComponentFixture<T> {
    TestBed.configureTestingModule({
      providers: [
        detection === 'zone' ? provideZoneChangeDetection() : provideZonelessChangeDetection(),
        { provide: HUB, useValue: hub },
        ...providers,
      ],
    });
    const fixture = TestBed.createComponent(component);
    if (detection === 'zone') fixture.autoDetectChanges();
    return fixture;
  }

  function text(fixture: ComponentFixture<unknown>, selector: string): string {
    const element = (fixture.nativeElement as HTMLElement).querySelector(selector);
    if (element === null) throw new Error(`no ${selector}`);
    return element.textContent.trim();
  }

  /** Messages the server received of one type, oldest first. */
  function received<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return server.mock.log
      .filter((entry) => entry.direction === 'received' && entry.message.type === type)
      .map((entry) => entry.message as Extract<HubMessage, { type: T }>);
  }

  async function connectedId(hub: Chat): Promise<string> {
    await until(() => expect(hub.connection.state.status).toBe('connected'));
    return hub.connection.state.connectionId!;
  }

  describe(`@hubrx/angular, ${detection}, mock server ${mode === 'port' ? 'on a port' : 'in msw mode'}`, () => {
    it(`runs on the Angular of its test project (${process.env.HUBRX_ANGULAR_MAJOR})`, () => {
      expect(VERSION.major).toBe(process.env.HUBRX_ANGULAR_MAJOR);
    });

    it('components, a directive and a service using every function open exactly one connection, and each function works', async () => {
      const { hub } = chatHub();

      @Injectable()
      class ChatService {
        readonly hub = inject(HUB);
        readonly connection = injectHub(this.hub);
        readonly state = injectHubState(this.hub);
        readonly messages = signal<string[]>([]);
        readonly add = injectHubInvoke(this.hub, 'Add');
        readonly count = injectHubStream(this.hub, 'Count', [3]);
        constructor() {
          injectHubEvent(this.hub, 'Message', (user, text) =>
            this.messages.update((list) => [...list, `${user}: ${text}`]),
          );
          injectHubHandler(this.hub, 'Confirm', (question) => question === 'ok?');
        }
      }

      /** A directive is a consumer too. */
      @Directive({ selector: '[chatPresence]', host: { '[attr.data-status]': 'state().status' } })
      class Presence {
        readonly state = injectHubState(inject(HUB));
      }

      @Component({
        selector: 'chat-page',
        imports: [Status, Presence],
        template: `
          <p id="status">{{ chat.state().status }}</p>
          <p id="url">{{ chat.connection.url }}</p>
          <p id="sum">{{ chat.add.value() }} {{ chat.add.status() }}</p>
          <p id="count">{{ chat.count.items().join(',') }} {{ chat.count.status() }}</p>
          <p id="ticks">{{ ticks.items().length }} {{ ticks.status() }}</p>
          <p id="messages">{{ chat.messages().join('|') }}</p>
          <chat-status id="a" />
          <chat-status id="b" />
          <p id="presence" chatPresence></p>
          <button (click)="chat.add.invoke(1, 2)">add</button>
        `,
      })
      class Page {
        readonly chat = inject(ChatService);
        readonly ticks = injectHubStream(inject(HUB), 'Ticks', ['t', 20], { keep: 2 });
        readonly createdInZone = NgZone.isInAngularZone();
      }

      const fixture = mount(Page, hub, [ChatService]);
      // The test bed is what it says: components are created in Angular's zone with zone.js.
      expect(fixture.componentInstance.createdInZone).toBe(detection === 'zone');
      await until(() => expect(text(fixture, '#status')).toBe('connected'));
      await until(() => expect(text(fixture, '#count')).toBe('0,1,2 complete'));
      await until(() => expect(text(fixture, '#ticks')).toBe('2 streaming'));
      const id = hub.connection.state.connectionId!;
      expect(text(fixture, '#a')).toBe(`connected ${id}`);
      expect(text(fixture, '#b')).toBe(`connected ${id}`);
      expect(
        (fixture.nativeElement as HTMLElement).querySelector('#presence')!.getAttribute('data-status'),
      ).toBe('connected');
      expect(text(fixture, '#url')).toBe(server.url);
      expect(server.stats.negotiates).toBe(1);
      expect(server.stats.connections).toBe(1);
      expect(server.mock.connections).toHaveLength(1);
      expect(received(MessageType.StreamInvocation)).toHaveLength(2);

      (fixture.nativeElement as HTMLElement).querySelector('button')!.click();
      await until(() => expect(text(fixture, '#sum')).toBe('3 success'));
      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await until(() => expect(text(fixture, '#messages')).toBe('ann: hi'));
      await expect(server.mock.hub('/chat').clients.client(id).invoke('Confirm', 'ok?')).resolves.toBe(true);
      expect(server.stats.negotiates).toBe(1);
      expect(hub.consumers).toBeGreaterThan(1);

      // The test bed's teardown destroys the component and the service's injector: everything is released.
      TestBed.resetTestingModule();
      await Promise.resolve(); // the observers let go after the current task's microtasks
      expect(hub.consumers).toBe(0);
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
    });

    it('components destroyed release the hub after the grace period; back within it, same connectionId', async () => {
      const { hub, clock } = chatHub();
      @Component({
        selector: 'chat-host',
        imports: [Status],
        template: `@if (show()) {
          <chat-status id="a" /><chat-status id="b" />
        }`,
      })
      class Host {
        readonly show = signal(true);
      }
      const fixture = mount(Host, hub);
      const id = await connectedId(hub);
      await until(() => expect(text(fixture, '#b')).toBe(`connected ${id}`));
      expect(server.stats.connections).toBe(1);

      fixture.componentInstance.show.set(false);
      await fixture.whenStable();
      expect(hub.consumers).toBe(0);
      clock.advance(1999);
      fixture.componentInstance.show.set(true);
      await fixture.whenStable();
      expect(text(fixture, '#a')).toBe(`connected ${id}`);
      clock.advance(5000); // past the grace period (and short of keep-alive and server timeouts)
      expect(await hub.connection.invoke('ConnectionId')).toBe(id);
      expect(server.stats.negotiates).toBe(1);

      fixture.componentInstance.show.set(false);
      await fixture.whenStable();
      clock.advance(1999);
      expect(server.mock.connections).toHaveLength(1);
      clock.advance(1);
      await until(() => expect(server.mock.connections).toHaveLength(0));
      expect(hub.connection.state.status).toBe('disconnected');
    });

    it('after destroy: server events run no handler, the stream is cancelled, client results get "no handler"', async () => {
      const { hub } = chatHub();
      const onMessage = vi.fn();
      @Component({ selector: 'chat-consumer', template: `ticks: {{ ticks.items().length }}` })
      class Consumer {
        readonly ticks = injectHubStream(inject(HUB), 'Ticks', ['t', 20]);
        constructor() {
          injectHubEvent(inject(HUB), 'Message', onMessage);
          injectHubHandler(inject(HUB), 'Confirm', () => true);
        }
      }
      @Component({
        selector: 'chat-host',
        imports: [Consumer, Status],
        // Status keeps the connection open after Consumer is destroyed.
        template: `@if (show()) {
            <chat-consumer id="consumer" />
          }
          <chat-status />`,
      })
      class Host {
        readonly show = signal(true);
      }
      const fixture = mount(Host, hub);
      const id = await connectedId(hub);
      await until(() => expect(text(fixture, '#consumer')).toBe('ticks: 2'));
      const clients = server.mock.hub('/chat').clients;
      clients.all.send('Message', 'ann', 'before');
      await until(() => expect(onMessage).toHaveBeenCalledWith('ann', 'before'));
      await expect(clients.client(id).invoke('Confirm', 'sure?')).resolves.toBe(true);
      const [stream] = received(MessageType.StreamInvocation);

      fixture.componentInstance.show.set(false);
      await fixture.whenStable();
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      expect(received(MessageType.CancelInvocation)).toEqual([
        { type: MessageType.CancelInvocation, invocationId: stream!.invocationId },
      ]);
      await expect(clients.client(id).invoke('Confirm', 'still there?')).rejects.toThrow(
        "Client didn't provide a result.",
      );
      clients.all.send('Message', 'ann', 'after');
      // A round trip on the same connection: the event arrived before the result.
      expect(await hub.connection.invoke('Echo', 'sync')).toBe('sync');
      expect(onMessage).toHaveBeenCalledTimes(1);
      expect(hub.connection.state.connectionId).toBe(id);
    });

    it('injectHubStream: signal args changed by value cancel the stream and start the new one; equal args do not', async () => {
      const { hub } = chatHub();
      @Component({ selector: 'chat-ticks', template: `{{ ticks.items().length }} {{ ticks.latest() }}` })
      class Ticks {
        @signalInput('label') readonly label = input.required<string>();
        // A new array on every read: only a change by value restarts.
        readonly ticks = injectHubStream(inject(HUB), 'Ticks', () => [this.label().toLowerCase(), 20], {
          keep: 3,
        });
      }
      @Component({
        selector: 'chat-host',
        imports: [Ticks],
        template: `<chat-ticks id="ticks" [label]="label()" />`,
      })
      class Host {
        readonly label = signal('a');
      }
      const fixture = mount(Host, hub);
      await until(() => expect(text(fixture, '#ticks')).toMatch(/^3 a\d+$/));
      fixture.componentInstance.label.set('A');
      await fixture.whenStable();
      expect(received(MessageType.StreamInvocation)).toHaveLength(1);
      const [first] = received(MessageType.StreamInvocation);

      fixture.componentInstance.label.set('b');
      await until(() => expect(text(fixture, '#ticks')).toMatch(/^\d b\d+$/));
      await server.mock.waitForMessage({ direction: 'received', type: MessageType.CancelInvocation });
      expect(received(MessageType.CancelInvocation)).toEqual([
        { type: MessageType.CancelInvocation, invocationId: first!.invocationId },
      ]);
      const invocations = received(MessageType.StreamInvocation);
      expect(invocations).toHaveLength(2);
      expect(invocations[1]).toMatchObject({ target: 'Ticks', arguments: ['b', 20] });
    });

    it('injectHubStream: after a forced drop and reconnect the stream is called again on the new connection', async () => {
      const { hub } = chatHub();
      @Component({ selector: 'chat-ticks', template: `{{ ticks.status() }} {{ ticks.latest() }}` })
      class Ticks {
        readonly ticks = injectHubStream(inject(HUB), 'Ticks', ['x', 20]);
      }
      const fixture = mount(Ticks, hub);
      const first = await connectedId(hub);
      // At x2 or later (ticks every 20 ms: polling for one exact value would race them).
      await until(() =>
        expect((fixture.nativeElement as HTMLElement).textContent).toMatch(/^streaming x([2-9]|\d{2,})$/),
      );
      server.mock.connection(first)!.drop();
      await until(() => {
        const { status, connectionId } = hub.connection.state;
        expect(status === 'connected' && connectionId !== first).toBe(true);
      });
      const second = hub.connection.state.connectionId!;
      await server.mock.waitForMessage({
        direction: 'received',
        type: MessageType.StreamInvocation,
        connectionId: second,
      });
      // The old items stay until the new stream's first one replaces them. (The new stream counts from x0 again,
      // a tick every 20 ms: polling for one exact value would race it, so this waits for the shown one to change.)
      const shown = () => (fixture.nativeElement as HTMLElement).textContent;
      const old = shown();
      expect(old).toMatch(/^streaming x\d+$/);
      await until(() => {
        expect(shown()).toMatch(/^streaming x\d+$/);
        expect(shown()).not.toBe(old);
      });
      expect(server.stats.connections).toBe(2);
    });

    it('injectHubStream: enabled as a signal: false runs nothing and shows idle; true starts it', async () => {
      const { hub } = chatHub();
      @Component({ selector: 'chat-count', template: `{{ count.status() }} {{ count.items().join(',') }}` })
      class Count {
        readonly enabled = signal(false);
        readonly count = injectHubStream(inject(HUB), 'Count', [4], { enabled: this.enabled, keep: 2 });
      }
      const fixture = mount(Count, hub);
      await connectedId(hub);
      await fixture.whenStable();
      const content = () => (fixture.nativeElement as HTMLElement).textContent.trim();
      expect(content()).toBe('idle');
      expect(received(MessageType.StreamInvocation)).toHaveLength(0);
      fixture.componentInstance.enabled.set(true);
      await until(() => expect(content()).toBe('complete 2,3'));
    });

    it('injectHubInvoke: pending, value, error, reset; nothing changes after destroy', async () => {
      const { hub } = chatHub();
      @Component({
        selector: 'chat-caller',
        template: `{{ call.status() }} {{ call.pending() }} {{ call.value() }} {{ call.error()?.message }}`,
      })
      class Caller {
        readonly call = injectHubInvoke(inject(HUB), 'Delayed');
      }
      const fixture = mount(Caller, hub);
      const content = () => (fixture.nativeElement as HTMLElement).textContent.trim();
      await fixture.whenStable();
      expect(content()).toBe('idle false');
      const { call } = fixture.componentInstance;
      const result = call.invoke(30, 'done');
      await until(() => expect(content()).toBe('pending true'));
      await expect(result).resolves.toBe('done');
      await until(() => expect(content()).toBe('success false done'));
      call.reset();
      await until(() => expect(content()).toBe('idle false'));

      // A call under way when the component is destroyed: its Promise resolves; the signals no longer change.
      const late = call.invoke(30, 'late');
      expect(call.status()).toBe('pending');
      fixture.destroy();
      await expect(late).resolves.toBe('late');
      expect(call.status()).toBe('pending');
    });

    it("injectHubInvoke: the server's error shows in `error` and rejects the Promise", async () => {
      const { hub } = chatHub();
      let failing!: HubInvoke<ChatServer, 'Fail'>;
      @Component({ selector: 'chat-failing', template: `{{ fail.status() }} {{ fail.error()?.message }}` })
      class Failing {
        readonly fail = (failing = injectHubInvoke(inject(HUB), 'Fail'));
      }
      const fixture = mount(Failing, hub);
      await expect(failing.invoke('no way')).rejects.toThrow(/no way/);
      await until(() =>
        expect((fixture.nativeElement as HTMLElement).textContent).toMatch(/^error .*no way/),
      );
    });

    it('outside an injection context: NG0203 without an injector; with { injector }, cleaned up by its DestroyRef', async () => {
      const { hub } = chatHub();
      expect(() => injectHubState(hub)).toThrow(/NG0203/);
      expect(() => injectHubEvent(hub, 'Message', () => {})).toThrow(/injectHubEvent/);

      const onMessage = vi.fn();
      @Component({ selector: 'chat-late', template: `{{ state?.().status }}` })
      class Late implements OnInit {
        readonly #injector = inject(Injector);
        state: Signal<ConnectionState> | undefined;
        ngOnInit() {
          this.state = injectHubState(hub, { injector: this.#injector });
          injectHubEvent(hub, 'Message', onMessage, { injector: this.#injector });
        }
      }
      const fixture = mount(Late, hub);
      await until(() => expect((fixture.nativeElement as HTMLElement).textContent).toBe('connected'));
      server.mock.hub('/chat').clients.all.send('Message', 'ann', 'hi');
      await until(() => expect(onMessage).toHaveBeenCalledTimes(1));
      const injector = fixture.componentRef.injector;
      fixture.destroy();
      expect(hub.consumers).toBe(0);
      // A destroyed injector could release nothing: refused before anything is retained.
      expect(() => injectHubState(hub, { injector })).toThrow(
        'injectHubState(): its injector is already destroyed.',
      );
      expect(() => injectHub(hub, { injector })).toThrow(/already destroyed/);
      expect(hub.consumers).toBe(0);
    });

    it('server frames nobody reads run no change detection; a handled event updates the view', async () => {
      const { hub } = chatHub();
      let renders = 0;
      const handlerInZone: boolean[] = [];
      @Component({
        selector: 'chat-feed',
        template: `{{ state().status }} {{ messages().join('|') }} {{ idle.status() }}`,
      })
      class Feed {
        readonly state = injectHubState(inject(HUB));
        readonly messages = signal<string[]>([]);
        // A stream that stays idle: its signals never change.
        readonly idle = injectHubStream(inject(HUB), 'Count', [3], { enabled: false });
        constructor() {
          injectHubEvent(inject(HUB), 'Message', (user) => {
            handlerInZone.push(NgZone.isInAngularZone());
            this.messages.update((list) => [...list, user]);
          });
          afterEveryRender(() => renders++);
        }
      }
      const fixture = mount(Feed, hub);
      const content = () => (fixture.nativeElement as HTMLElement).textContent.trim();
      await until(() => expect(content()).toBe('connected  idle'));
      await fixture.whenStable();
      renders = 0;

      const clients = server.mock.hub('/chat').clients;
      for (let n = 0; n < 20; n++) clients.all.send('Noise', n);
      // A round trip on the same connection: the frames arrived before the result; then a macrotask for any tick.
      expect(await hub.connection.invoke('Echo', 'sync')).toBe('sync');
      await new Promise((resolve) => setTimeout(resolve, 0));
      await fixture.whenStable();
      expect(renders).toBe(0);

      clients.all.send('Message', 'ann', 'hi');
      await until(() => expect(content()).toBe('connected ann idle'));
      expect(renders).toBeGreaterThan(0);
      // Handlers run inside Angular's zone (a zone.js app checks its views after them, as after a DOM event).
      expect(handlerInZone).toEqual([detection === 'zone']);
    });

    it('the app becomes stable while connected: the connection and its timers are not pending work', async () => {
      // The system clock: real keep-alive timers, which zone.js would count as pending macrotasks in its zone.
      const { hub } = chatHub({ clock: null });
      const fixture = mount(Status, hub);
      await until(() => expect((fixture.nativeElement as HTMLElement).textContent).toMatch(/^connected /));
      const stable = await Promise.race([
        fixture.whenStable().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000)),
      ]);
      expect(stable).toBe(true);
      expect(TestBed.inject(ApplicationRef).isStable).toBeDefined();
      let isStable: boolean | undefined;
      TestBed.inject(ApplicationRef)
        .isStable.subscribe((value) => (isStable = value))
        .unsubscribe();
      expect(isStable).toBe(true);
    });

    it('a hub whose start failed is started again by the next component created', async () => {
      const { hub } = chatHub({ reconnect: noReconnect() });
      server.mock.faults.failNegotiate(1, { status: 503 });
      @Component({
        selector: 'chat-host',
        imports: [Status],
        template: `<chat-status id="first" />
          @if (second()) {
            <chat-status id="second" />
          }`,
      })
      class Host {
        readonly second = signal(false);
      }
      const fixture = mount(Host, hub);
      await until(() => expect(hub.connection.state.lastError).not.toBeNull());
      await fixture.whenStable();
      expect(text(fixture, '#first')).toBe('disconnected');
      fixture.componentInstance.second.set(true);
      await connectedId(hub);
      await until(() => expect(text(fixture, '#first')).toMatch(/^connected /));
      expect(server.stats.negotiates).toBe(2);
      expect(server.stats.connections).toBe(1);
    });

    it('injectHubHandler: a second handler for the same method while the first lives is an error', async () => {
      const { hub } = chatHub();
      @Component({ selector: 'chat-twice', template: `` })
      class Twice {
        constructor() {
          injectHubHandler(inject(HUB), 'Confirm', () => true);
          injectHubHandler(inject(HUB), 'Confirm', () => false);
        }
      }
      expect(() => mount(Twice, hub)).toThrow(/Confirm/);
      // The first one started the hub (Angular destroys nothing of a component whose constructor threw).
      await connectedId(hub);
    });
  });
}
