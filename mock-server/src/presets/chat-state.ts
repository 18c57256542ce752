/**
 * The chat preset's server state: who is online (connections counted per user) and each room's recent messages.
 * In memory, as the ASP.NET Core chat server keeps them (behind interfaces there, so that they can move to Redis).
 */

/** A message sent to a room, as the chat hub's contract describes it. */
export interface ChatRoomMessage {
  readonly id: string;
  readonly room: string;
  readonly user: string;
  readonly text: string;
  /** ISO 8601, UTC, with milliseconds. */
  readonly sentAt: string;
}

/** Connections counted per user, in the order they opened. */
export class ChatPresence {
  private readonly users = new Map<string, string[]>();

  /** Counts a connection; `true` when it is the user's first. */
  connect(user: string, connectionId: string): boolean {
    const connections = this.users.get(user);
    if (connections === undefined) {
      this.users.set(user, [connectionId]);
      return true;
    }
    if (!connections.includes(connectionId)) connections.push(connectionId);
    return false;
  }

  /** Forgets a connection; `true` when it was the user's last. */
  disconnect(user: string, connectionId: string): boolean {
    const connections = this.users.get(user);
    if (connections === undefined) return false;
    const index = connections.indexOf(connectionId);
    if (index >= 0) connections.splice(index, 1);
    if (connections.length > 0) return false;
    this.users.delete(user);
    return true;
  }

  /** The users online, sorted by UTF-16 code units (as .NET's ordinal comparison). */
  online(): string[] {
    return [...this.users.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The user's most recently opened connection, if online. */
  latestConnection(user: string): string | undefined {
    return this.users.get(user)?.at(-1);
  }
}

/** The last `capacity` messages of each room. */
export class ChatHistory {
  private readonly rooms = new Map<string, ChatRoomMessage[]>();
  // Ids unique per server run: a random run prefix (a restarted server does not repeat ids) and a counter.
  private readonly run = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  private count = 0;

  constructor(private readonly capacity: number) {}

  add(room: string, user: string, text: string): ChatRoomMessage {
    const message: ChatRoomMessage = {
      id: `${this.run}-${++this.count}`,
      room,
      user,
      text,
      sentAt: new Date().toISOString(),
    };
    let messages = this.rooms.get(room);
    if (messages === undefined) this.rooms.set(room, (messages = []));
    messages.push(message);
    if (messages.length > this.capacity) messages.splice(0, messages.length - this.capacity);
    return message;
  }

  /** The room's messages, oldest first (a copy). */
  recent(room: string): ChatRoomMessage[] {
    return [...(this.rooms.get(room) ?? [])];
  }
}
