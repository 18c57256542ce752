/**
 * The chat hub's contract, shared by every client of the example (React, Vue, Angular, the terminal client) and
 * implemented twice with the same behaviour: the mock server's `chat` preset and the ASP.NET Core chat server.
 * The hub is at `/hubs/chat` and requires a JWT (from `POST /api/token`, or `GET /api/token` after a cookie login).
 *
 * Method names are those of the C# hub (PascalCase); client methods are camelCase, as the classic ASP.NET Core
 * SignalR chat's `newMessage`.
 */
import type { StreamResult, Upload } from '@hubrx/core';

/** The rooms every server has (a room that is not listed is refused). */
export const ROOMS = ['general', 'random', 'dotnet'] as const;
export type Room = (typeof ROOMS)[number];

/** The longest message text accepted, in UTF-16 code units (longer ones go through `SendLongMessage`). */
export const MAX_MESSAGE_LENGTH = 2000;
/** The longest text `SendLongMessage` assembles from its chunks. */
export const MAX_LONG_MESSAGE_LENGTH = 100_000;
/** How many recent messages a room keeps, and `RoomHistory` streams at most. */
export const HISTORY_LENGTH = 50;

/** Demo users; every one has the password {@link DEMO_PASSWORD}. */
export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;
export const DEMO_PASSWORD = 'hubrx-demo';

/** A message sent to a room. */
export interface RoomMessage {
  /** Unique per server run. */
  readonly id: string;
  readonly room: Room;
  readonly user: string;
  readonly text: string;
  /** ISO 8601, UTC. */
  readonly sentAt: string;
}

/** What a direct message's sender learns: whether the recipient's client showed it. */
export interface ReadReceipt {
  readonly to: string;
  readonly read: boolean;
  /** ISO 8601, UTC: when the recipient's client answered. */
  readonly at: string;
}

/** `POST /api/token` `{ username, password }` and `GET /api/token` (cookie) answer this; 401 otherwise. */
export interface TokenResponse {
  readonly token: string;
  /** ISO 8601, UTC. The lifetime is configurable (60 s in tests). */
  readonly expiresAt: string;
}

/**
 * Server methods. Errors are HubExceptions whose messages the UI shows as they are (the servers run with detailed
 * errors off, so only `HubException` texts reach the client): empty or too long text, unknown room, unknown or
 * offline user.
 */
export interface ChatServer {
  /** The classic: broadcasts `newMessage(user, text)` to everyone, `user` being the caller's name. */
  SendMessage(text: string): void;
  /** The rooms ({@link ROOMS}). */
  Rooms(): Room[];
  /** Adds this connection to the room's group (idempotent). A reconnected client joins its rooms again. */
  JoinRoom(room: string): void;
  LeaveRoom(room: string): void;
  /** The room's recent messages, oldest first (at most {@link HISTORY_LENGTH}); the caller need not have joined. */
  RoomHistory(room: string): StreamResult<RoomMessage>;
  /** Sends `roomMessage(message)` to the room's group (the caller must have joined); returns the message. */
  SendToRoom(room: string, text: string): RoomMessage;
  /** A long (e.g. pasted) text uploaded in chunks, assembled by the server and sent as one room message. */
  SendLongMessage(room: string, chunks: Upload<string>): RoomMessage;
  /**
   * Asks one of `to`'s connections for a read receipt (`directMessage`, a client result) and returns it; a
   * recipient that does not answer within 10 s gives `read: false`.
   */
  SendDirect(to: string, text: string): ReadReceipt;
  /** The users online now, sorted. */
  OnlineUsers(): string[];
}

/** Client methods: server events, and one client result. */
export interface ChatClient {
  newMessage(user: string, text: string): void;
  roomMessage(message: RoomMessage): void;
  /** Sent to a new connection only, right after it connected: the users online, sorted (itself included). */
  presence(users: string[]): void;
  /** A user's first connection opened (sent to every other connection). */
  userJoined(user: string): void;
  /** A user's last connection closed. */
  userLeft(user: string): void;
  /** A direct message; answer `true` once shown to the user (the sender's read receipt). */
  directMessage(from: string, text: string): boolean;
}
