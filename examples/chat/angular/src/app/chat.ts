import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { injectHub, injectHubEvent, injectHubHandler, injectHubState, injectHubStream } from '@hubrx/angular';
import {
  append,
  describe,
  errorText,
  line,
  merge,
  onConnectionLost,
  peerOf,
  postToRoom,
  Receipts,
  ROOM_CHANNELS,
  roomLine,
  roomOf,
  update,
  type Channel,
  type Line,
} from '../../../shared/chat';
import { MAX_MESSAGE_LENGTH, ROOMS, type Room } from '../../../shared/contract';
import { BannerComponent } from './banner';
import { chat } from './chat-hub';

@Component({
  selector: 'chat-room',
  imports: [BannerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="chat">
      <header class="top">
        <h1>hubrx chat <small>Angular</small></h1>
        <chat-banner />
        <span class="me">{{ user() }}</span>
        <button (click)="logout.emit()">Sign out</button>
      </header>
      <aside class="side">
        <h2>Channels</h2>
        <ul data-testid="room-list">
          @for (c of channels; track c) {
            <li>
              <button [class.active]="c === channel()" (click)="open(c)">
                {{ describe(c).title }}
                @if (unread()[c]) {
                  <span class="unread">{{ unread()[c] }}</span>
                }
              </button>
            </li>
          }
        </ul>
        <h2>Online</h2>
        <ul data-testid="presence-list">
          @for (name of online(); track name) {
            <li data-testid="presence-user">
              @if (name === user()) {
                <button class="online" disabled>{{ name }} <span class="you">(you)</span></button>
              } @else {
                <button class="online" [class.active]="channel() === dm(name)" (click)="open(dm(name))">
                  {{ name }}
                  @if (unread()[dm(name)]) {
                    <span class="unread">{{ unread()[dm(name)] }}</span>
                  }
                </button>
              }
            </li>
          }
        </ul>
        @if (directs().length > 0) {
          <h2>Direct messages</h2>
        }
        <ul data-testid="direct-list">
          @for (c of directs(); track c) {
            <li>
              <button [class.active]="c === channel()" (click)="open(c)">
                {{ c }}
                @if (unread()[c]) {
                  <span class="unread">{{ unread()[c] }}</span>
                }
              </button>
            </li>
          }
        </ul>
      </aside>
      <main class="main">
        <header>
          <h2>{{ about().title }}</h2>
          <span>{{ about().note }}</span>
          @if (room(); as r) {
            <button (click)="leave(r)">Leave</button>
          }
        </header>
        <div class="scroll">
          <ol class="messages" data-testid="message-list">
            @for (item of current(); track item.id) {
              @if (item.kind === 'notice') {
                <li class="notice" data-testid="notice">{{ item.user }} {{ item.text }}</li>
              } @else {
                <li data-testid="message">
                  <time [attr.datetime]="item.at">{{ item.time }}</time>
                  <span class="user" [class.me]="item.user === user()">{{ item.user }}</span>
                  <span class="text">{{ item.text }}</span>
                  @if (item.receipt; as receipt) {
                    <span class="receipt" data-testid="receipt">{{
                      receipt === 'read' ? '✓ read' : receipt === 'unread' ? 'not read yet' : 'sent'
                    }}</span>
                  }
                </li>
              }
            }
          </ol>
          @if (current().length === 0) {
            <p class="empty">No messages yet.</p>
          }
        </div>
        <form class="composer" (submit)="$event.preventDefault(); send()">
          <textarea
            data-testid="message-input"
            [value]="text()"
            [placeholder]="'Message ' + about().title"
            (input)="text.set(textOf($event))"
            (keydown.enter)="onEnter($event)"
          ></textarea>
          <button class="primary" data-testid="message-send">Send</button>
        </form>
        <p class="composer-note">
          @if (error(); as message) {
            <span class="error" role="alert" data-testid="error">{{ message }}</span>
          } @else if (sending() > 0) {
            {{ state().status === 'connected' ? 'Sending…' : sending() + ' waiting for the connection…' }}
          } @else if (room() !== undefined && text().length > maxLength) {
            A long message: it goes up in {{ chunkCount() }} chunks.
          }
        </p>
      </main>
    </div>
  `,
})
export class ChatComponent {
  readonly user = input.required<string>();
  readonly logout = output();

  readonly connection = injectHub(chat);
  readonly state = injectHubState(chat);
  readonly channel = signal<Channel>('everyone');
  readonly lines = signal<Partial<Record<Channel, Line[]>>>({});
  readonly unread = signal<Partial<Record<Channel, number>>>({});
  // The rooms joined, each with the connection it was joined on: a new connection has no groups.
  readonly joinedOn = signal<Partial<Record<Room, string | null>>>({});
  readonly online = signal<string[]>([]);
  readonly text = signal('');
  readonly sending = signal(0);
  readonly error = signal<string | undefined>(undefined);
  readonly room = computed(() => roomOf(this.channel()));
  readonly peer = computed(() => peerOf(this.channel()));
  readonly current = computed(() => this.lines()[this.channel()] ?? []);
  readonly about = computed(() => describe(this.channel()));
  readonly directs = computed(() =>
    [...new Set([...(Object.keys(this.lines()) as Channel[]), this.channel()])].filter((c) =>
      c.startsWith('@'),
    ),
  );
  readonly chunkCount = computed(() => Math.ceil(this.text().length / 1000));
  readonly channels: Channel[] = ['everyone', ...ROOM_CHANNELS];
  readonly maxLength = MAX_MESSAGE_LENGTH;
  readonly describe = describe;
  readonly #receipts = new Receipts();

  // The open room's history, once it is joined on this connection (after a reconnect: once joined again).
  readonly history = injectHubStream(chat, 'RoomHistory', () => [this.room() ?? ROOMS[0]], {
    enabled: () => {
      const room = this.room();
      const { status, connectionId } = this.state();
      return room !== undefined && status === 'connected' && this.joinedOn()[room] === connectionId;
    },
  });

  constructor() {
    injectHubEvent(chat, 'newMessage', (from, said) => this.add('everyone', [line(from, said)]));
    injectHubEvent(chat, 'roomMessage', (message) => this.add(`#${message.room}`, [roomLine(message)]));
    injectHubEvent(chat, 'presence', (users) => this.online.set(users));
    injectHubEvent(chat, 'userJoined', (who) => {
      this.online.update((list) => [...new Set([...list, who])].sort());
      this.add('everyone', [line(who, 'joined', 'notice')]);
    });
    injectHubEvent(chat, 'userLeft', (who) => {
      this.online.update((list) => list.filter((name) => name !== who));
      this.add('everyone', [line(who, 'left', 'notice')]);
    });
    // A client result: the sender's read receipt, true once this conversation is on screen.
    injectHubHandler(chat, 'directMessage', (from, said) => {
      this.add(`@${from}`, [line(from, said)]);
      return this.#receipts.answer(from, this.channel() === `@${from}`);
    });
    effect(() => {
      const items = this.history.items();
      untracked(() => {
        const mine = items.filter((message) => message.room === this.room());
        if (mine.length > 0) this.add(`#${mine[0]!.room}`, mine.map(roomLine));
      });
    });
    // Rejoin the rooms after a reconnect (the rooms joined when the connection is lost).
    const lost = onConnectionLost(this.connection, () => {
      for (const room of Object.keys(this.joinedOn()) as Room[]) this.join(room);
    });
    inject(DestroyRef).onDestroy(() => lost.unsubscribe());
  }

  add(to: Channel, added: Line[]): void {
    this.lines.update((all) => ({
      ...all,
      // Room lines may come twice (the call's result and the event, history after a reconnect): merged by id.
      [to]: roomOf(to) ? merge(all[to], added) : append(all[to], added[0]!),
    }));
    if (to !== this.channel()) this.unread.update((all) => ({ ...all, [to]: (all[to] ?? 0) + added.length }));
  }

  join(room: Room): void {
    this.connection.invoke('JoinRoom', room).then(
      () => this.joinedOn.update((all) => ({ ...all, [room]: this.connection.state.connectionId })),
      (failure: unknown) => this.error.set(errorText(failure)),
    );
  }

  open(next: Channel): void {
    this.channel.set(next);
    this.unread.update((all) => ({ ...all, [next]: 0 }));
    const room = roomOf(next);
    if (room !== undefined && !(room in this.joinedOn())) this.join(room);
    const peer = peerOf(next);
    if (peer !== undefined) this.#receipts.opened(peer);
  }

  leave(room: Room): void {
    this.joinedOn.update(({ [room]: _, ...rest }) => rest);
    this.lines.update(({ [`#${room}` as Channel]: _, ...rest }) => rest);
    this.channel.set('everyone');
    this.connection
      .invoke('LeaveRoom', room)
      .then(undefined, (failure: unknown) => this.error.set(errorText(failure)));
  }

  async send(): Promise<void> {
    const said = this.text();
    const to = this.channel();
    const [room, peer] = [this.room(), this.peer()];
    this.text.set('');
    this.error.set(undefined);
    this.sending.update((n) => n + 1);
    const mine = line(this.user(), said);
    try {
      if (room !== undefined) {
        this.add(to, [roomLine(await postToRoom(this.connection, room, said))]);
      } else if (peer !== undefined) {
        this.add(to, [{ ...mine, receipt: 'waiting' }]);
        try {
          const { read } = await this.connection.invoke('SendDirect', peer, said);
          this.lines.update((all) => ({
            ...all,
            [to]: update(all[to], mine.id, { receipt: read ? 'read' : 'unread' }),
          }));
        } catch (failure) {
          this.lines.update((all) => ({ ...all, [to]: all[to]?.filter((item) => item.id !== mine.id) }));
          throw failure;
        }
      } else {
        await this.connection.invoke('SendMessage', said);
      }
    } catch (failure) {
      this.error.set(errorText(failure));
      // Nothing typed is lost: a refused or failed message goes back into the box.
      if (this.text() === '') this.text.set(said);
    } finally {
      this.sending.update((n) => n - 1);
    }
  }

  onEnter(event: Event): void {
    if ((event as KeyboardEvent).shiftKey) return;
    event.preventDefault();
    (event.target as HTMLTextAreaElement).form?.requestSubmit();
  }

  dm(name: string): Channel {
    return `@${name}`;
  }

  textOf(event: Event): string {
    return (event.target as HTMLTextAreaElement).value;
  }
}
