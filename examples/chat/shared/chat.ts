/**
 * What the three front-ends share besides the contract and the stylesheet: the hub's options, the channels, and
 * the few pure functions that turn hub data into what the page shows. Framework-free; each front-end creates its
 * hub with its own binding's `createHub` from {@link hubOptions}.
 */
import {
  exponentialBackoff,
  outbox,
  type ConnectionState,
  type HubConnection,
  type SharedHub,
  type SharedHubOptions,
} from '@hubrx/core';
import type { Subscription } from 'rxjs';
import {
  HISTORY_LENGTH,
  MAX_MESSAGE_LENGTH,
  ROOMS,
  type ChatClient,
  type ChatServer,
  type Room,
  type RoomMessage,
} from './contract.js';
import type { Session } from './session.js';

/** The chat hub, on the page's origin. */
export const HUB_URL = '/hubs/chat';

/** How many messages a channel keeps on the page (the oldest go first). */
export const KEEP = 200;

/** Texts longer than this go up with `SendLongMessage`, in chunks of this size. */
export const CHUNK_LENGTH = 1000;

/**
 * The hub's options: tokens from the session, a reconnect policy that never gives up (waits of up to 10 s, so that
 * a restarted server is found again soon), and core's outbox: what is sent while reconnecting goes out, in order,
 * once connected.
 */
export function hubOptions(session: Session): SharedHubOptions {
  return {
    url: HUB_URL,
    accessTokenFactory: session.accessToken,
    reconnect: exponentialBackoff({ maxMs: 10_000 }),
    outbox: outbox(),
  };
}

/**
 * A channel of the sidebar: `everyone` is the classic `SendMessage`/`newMessage` broadcast (live only, no
 * history), `#room` one of the hub's rooms, `@user` a direct conversation.
 */
export type Channel = 'everyone' | `#${Room}` | `@${string}`;

export const ROOM_CHANNELS: readonly `#${Room}`[] = ROOMS.map((room) => `#${room}` as const);

/** The room of a `#room` channel. */
export function roomOf(channel: Channel): Room | undefined {
  return channel.startsWith('#') ? (channel.slice(1) as Room) : undefined;
}

/** The other user of an `@user` channel. */
export function peerOf(channel: Channel): string | undefined {
  return channel.startsWith('@') ? channel.slice(1) : undefined;
}

/**
 * Calls `rejoin` each time the connection is lost. Groups belong to a server connection, so a reconnected client
 * must join its rooms again; calls made while reconnecting wait in core's outbox, so JoinRoom calls made at once
 * go out first on the next connection, before anything typed meanwhile (a room message needs the room joined).
 * Subscribes to the state itself: a framework's render may come after the connection is back.
 */
export function onConnectionLost(
  connection: HubConnection<object, object>,
  rejoin: () => void,
): Subscription {
  let previous = connection.state.status;
  return connection.state$.subscribe(({ status }) => {
    // Core has failed the lost connection's calls before it reports `reconnecting`: these wait for the next one.
    if (status === 'reconnecting' && previous !== 'reconnecting') rejoin();
    previous = status;
  });
}

/** A channel's name and what it is, for its header. */
export function describe(channel: Channel): { readonly title: string; readonly note: string } {
  const room = roomOf(channel);
  if (room !== undefined) {
    return {
      title: `# ${room}`,
      note: `a room: its last ${HISTORY_LENGTH} messages on joining; long texts go up in chunks`,
    };
  }
  if (channel === 'everyone') return { title: '# everyone', note: 'everyone online, live (SendMessage)' };
  return { title: `@ ${peerOf(channel)}`, note: 'direct messages, with read receipts' };
}

/** One line of a channel, as the message list shows it. */
export interface Line {
  readonly id: string;
  /** `message`: someone wrote it; `notice`: presence ("bob joined"). */
  readonly kind: 'message' | 'notice';
  readonly user: string;
  readonly text: string;
  /** ISO 8601. */
  readonly at: string;
  /** `at` as the list shows it (`HH:MM`), formatted once. */
  readonly time: string;
  /** A direct message you sent: its read receipt, once the recipient's client answered. */
  readonly receipt?: 'waiting' | 'read' | 'unread';
}

let lineIds = 0;

/** A line made on this page (the everyone channel's messages, notices, direct messages have no id of their own). */
export function line(user: string, text: string, kind: Line['kind'] = 'message'): Line {
  const at = new Date().toISOString();
  return { id: `l${++lineIds}`, kind, user, text, at, time: clockTime(at) };
}

/** A room message's line. */
export function roomLine(message: RoomMessage): Line {
  const { id, user, text, sentAt } = message;
  return { id, kind: 'message', user, text, at: sentAt, time: clockTime(sentAt) };
}

/** `lines` with `added` at the end, at most {@link KEEP} (a new array: the frameworks compare by identity). */
export function append(lines: readonly Line[] | undefined, added: Line): Line[] {
  if (lines === undefined) return [added];
  const next = lines.length >= KEEP ? lines.slice(lines.length - KEEP + 1) : lines.slice();
  next.push(added);
  return next;
}

/**
 * `lines` and `added` without duplicates (a room's history streams again after a reconnect and overlaps what
 * came live), by time, at most {@link KEEP}.
 */
export function merge(lines: readonly Line[] | undefined, added: readonly Line[]): Line[] {
  const byId = new Map<string, Line>();
  for (const item of lines ?? []) byId.set(item.id, item);
  for (const item of added) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1)).slice(-KEEP);
}

/** `lines` with the line `id` changed by `change`. */
export function update(lines: readonly Line[] | undefined, id: string, change: Partial<Line>): Line[] {
  return (lines ?? []).map((item) => (item.id === id ? { ...item, ...change } : item));
}

/** What to show of a failed call: the server's own words for a refused one (its HubException's message). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'HubError') return error.message.replace(/^.*HubException: /s, '');
  if (error.name === 'ConnectionClosedError') return `Not sent (${error.message}): try again.`;
  return error.message;
}

const clock = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });

/** `HH:MM` of an ISO time, in the user's time zone. */
export function clockTime(iso: string): string {
  return clock.format(new Date(iso));
}

/**
 * The text in chunks of {@link CHUNK_LENGTH}, as `SendLongMessage`'s upload stream (an AsyncIterable: core pulls
 * each chunk when the connection takes it).
 */
export async function* chunks(text: string): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += CHUNK_LENGTH)
    yield await Promise.resolve(text.slice(i, i + CHUNK_LENGTH));
}

/**
 * Posts `text` to `room`; resolves with the message as the server stored it. Text too long for one message is
 * uploaded in chunks (a client-to-server stream, `SendLongMessage`) and assembled by the server.
 */
export async function postToRoom(
  connection: HubConnection<ChatServer, ChatClient>,
  room: Room,
  text: string,
): Promise<RoomMessage> {
  return text.length > MAX_MESSAGE_LENGTH
    ? await connection.invoke('SendLongMessage', room, chunks(text))
    : await connection.invoke('SendToRoom', room, text);
}

/**
 * Read receipts for direct messages (the `directMessage` client result): `true` once the conversation with the
 * sender is open, at once if it is; `false` if it is not opened within 9 s (the servers answer `read: false`
 * themselves after 10 s).
 */
export class Receipts {
  readonly #waiting = new Map<string, ((read: boolean) => void)[]>();

  /** The answer for a direct message from `peer`; `open`: whether that conversation is on screen now. */
  answer(peer: string, open: boolean): boolean | Promise<boolean> {
    if (open) return true;
    return new Promise<boolean>((resolve) => {
      const list = this.#waiting.get(peer) ?? [];
      this.#waiting.set(peer, [...list, resolve]);
      setTimeout(() => resolve(false), 9_000);
    });
  }

  /** The conversation with `peer` is on screen: its waiting messages were read. */
  opened(peer: string): void {
    for (const resolve of this.#waiting.get(peer) ?? []) resolve(true);
    this.#waiting.delete(peer);
  }
}

/** What the connection banner says. */
export interface Banner {
  /** `ok` (connected), `busy` (connecting or reconnecting), `down` (disconnected). */
  readonly tone: 'ok' | 'busy' | 'down';
  readonly title: string;
  /** Why the connection was lost or an attempt failed, while not connected. */
  readonly why: string | undefined;
  /** Whether "reconnect now" would help: waiting between attempts, or disconnected. */
  readonly canReconnect: boolean;
}

/** The banner for a connection state; `now` is the time to count down from (the wait ends at `nextRetryAt`). */
export function banner(state: ConnectionState, now: number): Banner {
  const why = state.lastError?.message;
  const waiting =
    state.nextRetryAt !== null
      ? `, next retry in ${Math.max(0, Math.ceil((state.nextRetryAt - now) / 1000))} s`
      : state.attempt > 0
        ? ', trying now…'
        : '';
  switch (state.status) {
    case 'connected':
      return { tone: 'ok', title: 'Connected', why: undefined, canReconnect: false };
    case 'connecting':
      return {
        tone: 'busy',
        title: state.attempt > 0 ? `Connecting: attempt ${state.attempt}${waiting}` : 'Connecting…',
        why: state.attempt > 0 ? why : undefined,
        canReconnect: state.nextRetryInMs !== null,
      };
    case 'reconnecting':
      return {
        tone: 'busy',
        title:
          state.attempt > 0
            ? `Reconnecting: attempt ${state.attempt}${waiting}`
            : 'Connection lost, reconnecting…',
        why,
        canReconnect: state.nextRetryInMs !== null,
      };
    case 'disconnecting':
      return { tone: 'down', title: 'Disconnecting…', why: undefined, canReconnect: false };
    case 'disconnected':
      return { tone: 'down', title: 'Disconnected', why, canReconnect: true };
  }
}

/**
 * "Reconnect now": ends the reconnect wait under way, so that the next attempt starts at once, or starts a
 * connection that was closed for good.
 */
export function reconnectNow(hub: SharedHub<object, object>): void {
  if (hub.connection.state.status === 'disconnected') hub.retry().catch(() => undefined);
  else hub.connection.reconnectNow();
}
