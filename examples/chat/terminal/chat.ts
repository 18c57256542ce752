/**
 * The chat's terminal client, the counterpart of the classic ASP.NET Core SignalR article's .NET console client:
 *
 *   npm run chat -- --user alice [--password hubrx-demo] [--url http://127.0.0.1:5000]
 *
 * Logs in (`POST /api/token`, again whenever the token is about to expire or the server refuses it), connects to
 * `/hubs/chat`, sends each line read from stdin (commands: /help) and prints messages, room messages, presence,
 * direct messages (answering their read receipts) and the connection's state. Lines typed while reconnecting go out
 * once connected again (the outbox); joined rooms are joined again after a reconnect.
 */
import { createInterface } from 'node:readline';

import { createHubConnection, outbox } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';

import type { ChatClient, ChatServer } from '../shared/contract.js';
import { parseOptions, USAGE, type TerminalOptions } from './args.js';
import { LoginError, tokenFactory } from './auth.js';
import { HELP, parseCommand, type Command } from './commands.js';
import {
  errorText,
  formatDirect,
  formatMessage,
  formatPresence,
  formatReceipt,
  formatRoomMessage,
  formatState,
} from './format.js';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** Message ids already printed (a room's history and its live messages overlap around a join). */
class Seen {
  private readonly ids = new Set<string>();
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > 5000) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

async function run(options: TerminalOptions): Promise<number> {
  const accessTokenFactory = tokenFactory(options.url, options.user, options.password, () =>
    print('* token refreshed'),
  );
  const hubUrl = `${options.url}/hubs/chat`;
  // Log in once before connecting: wrong credentials end here, with a clear message.
  await accessTokenFactory({ forceRefresh: false, url: hubUrl });

  const connection = createHubConnection<ChatServer, ChatClient>({
    url: hubUrl,
    accessTokenFactory,
    WebSocket: nodeWebSocket(WebSocket),
    EventSource,
    outbox: outbox(),
  });
  const rooms = new Set<string>();
  const seen = new Seen();

  // The state before start() (disconnected, no error) says nothing.
  let previous = formatState(connection.state);
  let wasConnected = false;
  connection.state$.subscribe((state) => {
    const line = formatState(state);
    if (line !== undefined && line !== previous) print(line);
    previous = line;
    if (state.status === 'connected') {
      // A new server connection has no groups: join the rooms again.
      if (wasConnected)
        for (const room of rooms) Promise.resolve(connection.invoke('JoinRoom', room)).catch(report);
      wasConnected = true;
    }
  });
  connection.on('newMessage').subscribe(([user, text]) => print(formatMessage(user, text)));
  connection.on('roomMessage').subscribe(([message]) => {
    if (seen.add(message.id)) print(formatRoomMessage(message));
  });
  connection.on('presence').subscribe(([users]) => print(formatPresence(users)));
  connection.on('userJoined').subscribe(([user]) => print(`* ${user} joined`));
  connection.on('userLeft').subscribe(([user]) => print(`* ${user} left`));
  // Printed is shown: the sender's read receipt says so.
  connection.handle('directMessage', (from, text) => {
    print(formatDirect(from, text));
    return true;
  });

  await connection.start({ retry: true });

  const execute = async (command: Command): Promise<boolean> => {
    switch (command.kind) {
      case 'nothing':
        return true;
      case 'invalid':
        print(`! ${command.message}`);
        return true;
      case 'help':
        print(HELP);
        return true;
      case 'quit':
        return false;
      case 'say':
        await connection.invoke('SendMessage', command.text);
        return true;
      case 'join': {
        await connection.invoke('JoinRoom', command.room);
        rooms.add(command.room);
        print(`* joined ${command.room}`);
        for await (const message of connection.stream('RoomHistory', command.room)) {
          if (seen.add(message.id)) print(formatRoomMessage(message, true));
        }
        return true;
      }
      case 'leave':
        await connection.invoke('LeaveRoom', command.room);
        rooms.delete(command.room);
        print(`* left ${command.room}`);
        return true;
      case 'room': {
        const message = await connection.invoke('SendToRoom', command.room, command.text);
        // Printed when it comes back as roomMessage (the sender is in the room's group).
        if (seen.add(message.id)) print(formatRoomMessage(message));
        return true;
      }
      case 'dm':
        print(formatReceipt(await connection.invoke('SendDirect', command.to, command.text)));
        return true;
      case 'who':
        print(formatPresence(await connection.invoke('OnlineUsers')));
        return true;
      case 'rooms':
        print(`* rooms: ${(await connection.invoke('Rooms')).join(', ')}`);
        return true;
    }
  };

  // One line at a time, in order (a /join completes before the /room typed after it).
  const input = createInterface({ input: process.stdin, terminal: false });
  const done = new Promise<void>((resolve) => {
    let chain = Promise.resolve(true);
    input.on('line', (line) => {
      chain = chain.then(async (going) => {
        if (!going) return false;
        try {
          const keepGoing = await execute(parseCommand(line));
          if (!keepGoing) resolve();
          return keepGoing;
        } catch (error) {
          report(error);
          return true;
        }
      });
    });
    input.once('close', () => void chain.then(() => resolve()));
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await done;
  input.close();
  await connection.stop();
  print('* bye');
  return 0;
}

function report(error: unknown): void {
  print(errorText(error));
}

async function main(): Promise<number> {
  let options: TerminalOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    console.error(USAGE);
    return 2;
  }
  if (options === 'help') {
    print(USAGE);
    return 0;
  }
  try {
    return await run(options);
  } catch (error) {
    if (error instanceof LoginError) {
      console.error(`! ${error.message}`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
