import { TEST_SIGNING_KEY } from '../auth/authenticate.js';
import { loginRoutes } from '../auth/login-routes.js';
import { HubException, MockServerError } from '../errors.js';
import { defineHub } from '../hub/define-hub.js';
import type {
  HubCallerContext,
  HubDefinition,
  HubInvocationContext,
  HubMethod,
  HubMethodDescriptor,
  ParameterType,
} from '../hub/types.js';
import type { MockHubOptions } from '../server/engine.js';
import { ChatHistory, ChatPresence, type ChatRoomMessage } from './chat-state.js';

/**
 * The chat of hubrx's example app (`examples/chat`), as the ASP.NET Core chat server in `examples/chat/dotnet`
 * serves it: the same hub, routes, error texts and defaults. These constants are the contract's
 * (`examples/chat/shared/contract.ts`, which the example's tests check them against).
 */
export const CHAT_ROOMS = ['general', 'random', 'dotnet'] as const;
export const CHAT_MAX_MESSAGE_LENGTH = 2000;
export const CHAT_MAX_LONG_MESSAGE_LENGTH = 100_000;
export const CHAT_HISTORY_LENGTH = 50;
export const CHAT_DEMO_USERS = ['alice', 'bob', 'carol'] as const;
export const CHAT_DEMO_PASSWORD = 'hubrx-demo';
export const CHAT_HUB_PATH = '/hubs/chat';
/** The login cookie's name (both servers). */
export const CHAT_LOGIN_COOKIE = 'hubrx_chat';

/** Options of {@link chatPreset} (the CLI's `--token-lifetime` and `--receipt-timeout-ms`). */
export interface ChatPresetOptions {
  /** Access tokens' lifetime in seconds. Default 900 (15 minutes). */
  readonly tokenLifetimeSeconds?: number;
  /** How long `SendDirect` waits for the recipient's read receipt. Default 10 000 ms. */
  readonly receiptTimeoutMs?: number;
  /** The key tokens are signed and checked with. Default the test key ({@link TEST_SIGNING_KEY}). */
  readonly signingKey?: string;
}

/** The error texts, word for word those of the ASP.NET Core chat server (`ChatErrors.cs`). */
export const chatErrors = {
  emptyText: 'Message text is empty.',
  textTooLong: (max: number) => `Message text is longer than ${max} characters.`,
  unknownRoom: (room: string) => `Unknown room '${quote(room)}'.`,
  notJoined: (room: string) => `Join the room '${quote(room)}' before sending to it.`,
  unknownUser: (user: string) => `Unknown user '${quote(user)}'.`,
  offlineUser: (user: string) => `User '${quote(user)}' is not online.`,
};

/** A client's value quoted in an error: at most 64 UTF-16 code units, then an ellipsis. */
function quote(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

// What .NET's char.IsWhiteSpace counts (JavaScript's \s differs: it has U+FEFF and lacks U+0085).
const BLANK = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

function checkText(text: string | null, max: number): string {
  if (text === null || BLANK.test(text)) throw new HubException(chatErrors.emptyText);
  if (text.length > max) throw new HubException(chatErrors.textTooLong(max));
  return text;
}

function checkRoom(room: string | null): string {
  const name = room ?? '';
  if (!(CHAT_ROOMS as readonly string[]).includes(name)) throw new HubException(chatErrors.unknownRoom(name));
  return name;
}

const JOINED = Symbol('joined rooms');

function joinedRooms(ctx: HubCallerContext): Set<string> {
  let rooms = ctx.items.get(JOINED) as Set<string> | undefined;
  if (rooms === undefined) ctx.items.set(JOINED, (rooms = new Set()));
  return rooms;
}

function checkJoined(ctx: HubCallerContext, room: string | null): string {
  const name = checkRoom(room);
  if (!joinedRooms(ctx).has(name)) throw new HubException(chatErrors.notJoined(name));
  return name;
}

/** The caller's name: the token's `sub` (the hub requires one). */
const userOf = (ctx: HubCallerContext): string => ctx.userIdentifier!;

const typed = (
  parameters: readonly ParameterType[],
  handler: HubMethod,
  extra: Partial<HubMethodDescriptor> = {},
): HubMethodDescriptor => ({ handler, parameters, streamParameters: [], ...extra });

/**
 * The chat hub (`[Authorize]`: negotiate answers 401 without a token, 403 for a token without `sub`). One instance
 * per call: its presence and history are its own.
 */
export function chatHub(options: Pick<ChatPresetOptions, 'receiptTimeoutMs'> = {}): HubDefinition {
  const receiptTimeoutMs = options.receiptTimeoutMs ?? 10_000;
  const presence = new ChatPresence();
  const history = new ChatHistory(CHAT_HISTORY_LENGTH);

  const postToRoom = (ctx: HubInvocationContext, room: string, text: string): ChatRoomMessage => {
    const message = history.add(room, userOf(ctx), text);
    ctx.clients.group(room).send('roomMessage', message);
    return message;
  };

  return defineHub({
    authorize: (user) => user?.id !== undefined,
    // SendDirect waits for another client's answer; the caller's other calls go on meanwhile.
    options: { maximumParallelInvocationsPerClient: 4 },
    onConnected(ctx) {
      const user = userOf(ctx);
      const first = presence.connect(user, ctx.connectionId);
      ctx.clients.caller.send('presence', presence.online());
      if (first) ctx.clients.others.send('userJoined', user);
    },
    onDisconnected(ctx) {
      const user = userOf(ctx);
      if (presence.disconnect(user, ctx.connectionId)) ctx.clients.others.send('userLeft', user);
    },
    methods: {
      SendMessage: typed(['string'], (ctx, text: string | null) => {
        ctx.clients.all.send('newMessage', userOf(ctx), checkText(text, CHAT_MAX_MESSAGE_LENGTH));
      }),
      Rooms: typed([], () => [...CHAT_ROOMS]),
      JoinRoom: typed(['string'], (ctx, room: string | null) => {
        const name = checkRoom(room);
        joinedRooms(ctx).add(name);
        ctx.groups.add(ctx.connectionId, name);
      }),
      LeaveRoom: typed(['string'], (ctx, room: string | null) => {
        const name = checkRoom(room);
        joinedRooms(ctx).delete(name);
        ctx.groups.remove(ctx.connectionId, name);
      }),
      RoomHistory: typed(
        ['string'],
        (ctx: HubInvocationContext, room: string | null) => {
          // Checked when called (an error of the invocation), then streamed from a snapshot.
          const messages = history.recent(checkRoom(room));
          // eslint-disable-next-line @typescript-eslint/require-await -- an async generator: the hub streams it
          return (async function* () {
            for (const message of messages) {
              if (ctx.signal.aborted) return;
              yield message;
            }
          })();
        },
        { stream: true },
      ),
      SendToRoom: typed(['string', 'string'], (ctx, room: string | null, text: string | null) => {
        const name = checkJoined(ctx, room);
        return postToRoom(ctx, name, checkText(text, CHAT_MAX_MESSAGE_LENGTH));
      }),
      SendLongMessage: typed(
        ['string'],
        async (ctx: HubInvocationContext, room: string | null, chunks: AsyncIterable<string | null>) => {
          const name = checkJoined(ctx, room);
          let text = '';
          for await (const chunk of chunks) {
            text += chunk ?? '';
            if (text.length > CHAT_MAX_LONG_MESSAGE_LENGTH)
              throw new HubException(chatErrors.textTooLong(CHAT_MAX_LONG_MESSAGE_LENGTH));
          }
          return postToRoom(ctx, name, checkText(text, CHAT_MAX_LONG_MESSAGE_LENGTH));
        },
        { streamParameters: [1] },
      ),
      SendDirect: typed(['string', 'string'], async (ctx, to: string | null, text: string | null) => {
        const recipient = to ?? '';
        const connectionId = presence.latestConnection(recipient);
        if (connectionId === undefined) {
          throw new HubException(
            (CHAT_DEMO_USERS as readonly string[]).includes(recipient)
              ? chatErrors.offlineUser(recipient)
              : chatErrors.unknownUser(recipient),
          );
        }
        const body = checkText(text, CHAT_MAX_MESSAGE_LENGTH);
        let read = false;
        try {
          read =
            (await ctx.clients
              .client(connectionId)
              .invokeWith(
                { timeoutMs: receiptTimeoutMs, signal: ctx.signal },
                'directMessage',
                userOf(ctx),
                body,
              )) === true;
        } catch {
          // No handler, a handler that failed, no answer in time, or the recipient left: not read.
        }
        return { to: recipient, read, at: new Date().toISOString() };
      }),
      OnlineUsers: typed([], () => presence.online()),
    },
  });
}

/**
 * The `chat` preset (`--preset chat`): the chat hub at `/hubs/chat` and its login routes (`POST /api/token`,
 * `POST /api/login`, `GET /api/token`, `POST /api/logout`; see {@link loginRoutes}) for the demo users `alice`,
 * `bob` and `carol` (password `hubrx-demo`). Errors are not detailed (only HubException texts reach clients), and
 * argument counts are exact, as on the ASP.NET Core chat server.
 */
export function chatPreset(options: ChatPresetOptions = {}): MockHubOptions {
  const { tokenLifetimeSeconds, receiptTimeoutMs } = options;
  if (
    tokenLifetimeSeconds !== undefined &&
    !(Number.isInteger(tokenLifetimeSeconds) && tokenLifetimeSeconds > 0)
  )
    throw new MockServerError(
      `The chat's token lifetime must be a positive whole number of seconds, got ${String(tokenLifetimeSeconds)}.`,
    );
  if (receiptTimeoutMs !== undefined && !(Number.isFinite(receiptTimeoutMs) && receiptTimeoutMs > 0))
    throw new MockServerError(
      `The chat's read receipt timeout must be a positive number of milliseconds, got ${String(receiptTimeoutMs)}.`,
    );
  const signingKey = options.signingKey ?? TEST_SIGNING_KEY;
  return {
    hubs: { [CHAT_HUB_PATH]: chatHub(options) },
    routes: loginRoutes({
      users: Object.fromEntries(CHAT_DEMO_USERS.map((user) => [user, CHAT_DEMO_PASSWORD])),
      signingKey,
      cookieName: CHAT_LOGIN_COOKIE,
      ...(options.tokenLifetimeSeconds !== undefined && {
        tokenLifetimeSeconds: options.tokenLifetimeSeconds,
      }),
    }),
    auth: { signingKey },
    detailedErrors: false,
    strictArguments: true,
  };
}
