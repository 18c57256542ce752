import { memo, useEffect, useRef, useState } from 'react';
import { useHub, useHubEvent, useHubHandler, useHubState, useHubStream } from '@hubrx/react';
import {
  append,
  banner,
  describe,
  errorText,
  line,
  merge,
  onConnectionLost,
  peerOf,
  postToRoom,
  reconnectNow,
  Receipts,
  ROOM_CHANNELS,
  roomLine,
  roomOf,
  update,
  type Channel,
  type Line,
} from '../../shared/chat.js';
import { MAX_MESSAGE_LENGTH, ROOMS, type Room } from '../../shared/contract.js';
import { chat } from './chat-hub.js';

export function Chat({ user, onLogout }: { user: string; onLogout: () => void }) {
  const connection = useHub(chat);
  const state = useHubState(chat);
  const [channel, setChannel] = useState<Channel>('everyone');
  const [lines, setLines] = useState<Partial<Record<Channel, Line[]>>>({});
  const [unread, setUnread] = useState<Partial<Record<Channel, number>>>({});
  // The rooms joined, each with the connection it was joined on: a new connection has no groups.
  const [joinedOn, setJoinedOn] = useState<Partial<Record<Room, string | null>>>({});
  const [online, setOnline] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(0);
  const [error, setError] = useState<string>();
  const [receipts] = useState(() => new Receipts());
  const room = roomOf(channel);
  const peer = peerOf(channel);

  const add = (to: Channel, added: Line[]) => {
    // Room lines may come twice (the call's result and the event, history after a reconnect): merged by id.
    setLines((all) => ({ ...all, [to]: roomOf(to) ? merge(all[to], added) : append(all[to], added[0]!) }));
    if (to !== channel) setUnread((all) => ({ ...all, [to]: (all[to] ?? 0) + added.length }));
  };
  useHubEvent(chat, 'newMessage', (from, said) => add('everyone', [line(from, said)]));
  useHubEvent(chat, 'roomMessage', (message) => add(`#${message.room}`, [roomLine(message)]));
  useHubEvent(chat, 'presence', setOnline);
  useHubEvent(chat, 'userJoined', (who) => {
    setOnline((list) => [...new Set([...list, who])].sort());
    add('everyone', [line(who, 'joined', 'notice')]);
  });
  useHubEvent(chat, 'userLeft', (who) => {
    setOnline((list) => list.filter((name) => name !== who));
    add('everyone', [line(who, 'left', 'notice')]);
  });
  // A client result: the sender's read receipt, true once this conversation is on screen.
  useHubHandler(chat, 'directMessage', (from, said) => {
    add(`@${from}`, [line(from, said)]);
    return receipts.answer(from, channel === `@${from}`);
  });

  // The open room's history, once it is joined on this connection (after a reconnect: once joined again).
  const history = useHubStream(chat, 'RoomHistory', [room ?? ROOMS[0]], {
    enabled: room !== undefined && state.status === 'connected' && joinedOn[room] === state.connectionId,
  });
  useEffect(() => {
    const items = history.items.filter((message) => message.room === room);
    if (items.length > 0) add(`#${items[0]!.room}`, items.map(roomLine));
  }, [history.items]);

  const join = (joining: Room) => {
    connection.invoke('JoinRoom', joining).then(
      () => setJoinedOn((all) => ({ ...all, [joining]: connection.state.connectionId })),
      (failure: unknown) => setError(errorText(failure)),
    );
  };
  // Rejoin the rooms after a reconnect (the rooms joined when the connection is lost).
  const joined = useRef(joinedOn);
  joined.current = joinedOn;
  useEffect(() => {
    const subscription = onConnectionLost(connection, () => {
      for (const room of Object.keys(joined.current) as Room[]) join(room);
    });
    return () => subscription.unsubscribe();
  }, [connection]);

  const open = (next: Channel) => {
    setChannel(next);
    setUnread((all) => ({ ...all, [next]: 0 }));
    const nextRoom = roomOf(next);
    if (nextRoom !== undefined && !(nextRoom in joinedOn)) join(nextRoom);
    const nextPeer = peerOf(next);
    if (nextPeer !== undefined) receipts.opened(nextPeer);
  };
  const leave = (left: Room) => {
    setJoinedOn(({ [left]: _, ...rest }) => rest);
    setLines(({ [`#${left}` as Channel]: _, ...rest }) => rest);
    setChannel('everyone');
    connection.invoke('LeaveRoom', left).then(undefined, (failure: unknown) => setError(errorText(failure)));
  };

  const send = async () => {
    const said = text;
    const to = channel;
    setText('');
    setError(undefined);
    setSending((n) => n + 1);
    const mine = line(user, said);
    try {
      if (room !== undefined) {
        add(to, [roomLine(await postToRoom(connection, room, said))]);
      } else if (peer !== undefined) {
        add(to, [{ ...mine, receipt: 'waiting' }]);
        const receipt = connection.invoke('SendDirect', peer, said);
        try {
          const { read } = await receipt;
          setLines((all) => ({
            ...all,
            [to]: update(all[to], mine.id, { receipt: read ? 'read' : 'unread' }),
          }));
        } catch (failure) {
          setLines((all) => ({ ...all, [to]: all[to]?.filter((item) => item.id !== mine.id) }));
          throw failure;
        }
      } else {
        await connection.invoke('SendMessage', said);
      }
    } catch (failure) {
      setError(errorText(failure));
      // Nothing typed is lost: a refused or failed message goes back into the box.
      setText((current) => (current === '' ? said : current));
    } finally {
      setSending((n) => n - 1);
    }
  };

  const current = lines[channel] ?? [];
  const { title, note } = describe(channel);
  const directs = [...new Set([...(Object.keys(lines) as Channel[]), channel])].filter((c) =>
    c.startsWith('@'),
  );
  const channelButton = (c: Channel, label: string, className?: string) => (
    <button
      className={[className, c === channel && 'active'].filter(Boolean).join(' ')}
      onClick={() => open(c)}
    >
      {label}
      {(unread[c] ?? 0) > 0 && <span className="unread">{unread[c]}</span>}
    </button>
  );
  return (
    <div className="chat">
      <header className="top">
        <h1>
          hubrx chat <small>React</small>
        </h1>
        <Banner />
        <span className="me">{user}</span>
        <button onClick={onLogout}>Sign out</button>
      </header>
      <aside className="side">
        <h2>Channels</h2>
        <ul data-testid="room-list">
          {(['everyone', ...ROOM_CHANNELS] as Channel[]).map((c) => (
            <li key={c}>{channelButton(c, describe(c).title)}</li>
          ))}
        </ul>
        <h2>Online</h2>
        <ul data-testid="presence-list">
          {online.map((name) => (
            <li key={name} data-testid="presence-user">
              {name === user ? (
                <button className="online" disabled>
                  {name} <span className="you">(you)</span>
                </button>
              ) : (
                channelButton(`@${name}`, name, 'online')
              )}
            </li>
          ))}
        </ul>
        {directs.length > 0 && <h2>Direct messages</h2>}
        <ul data-testid="direct-list">
          {directs.map((c) => (
            <li key={c}>{channelButton(c, c)}</li>
          ))}
        </ul>
      </aside>
      <main className="main">
        <header>
          <h2>{title}</h2>
          <span>{note}</span>
          {room !== undefined && <button onClick={() => leave(room)}>Leave</button>}
        </header>
        <div className="scroll">
          <ol className="messages" data-testid="message-list">
            {current.map((item) => (
              <Message key={item.id} line={item} me={user} />
            ))}
          </ol>
          {current.length === 0 && <p className="empty">No messages yet.</p>}
        </div>
        <form
          className="composer"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <textarea
            data-testid="message-input"
            value={text}
            placeholder={`Message ${title}`}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) {
                event.preventDefault();
                event.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <button className="primary" data-testid="message-send">
            Send
          </button>
        </form>
        <p className="composer-note">
          {error ? (
            <span className="error" role="alert" data-testid="error">
              {error}
            </span>
          ) : sending > 0 ? (
            state.status === 'connected' ? (
              'Sending…'
            ) : (
              `${sending} waiting for the connection…`
            )
          ) : room !== undefined && text.length > MAX_MESSAGE_LENGTH ? (
            `A long message: it goes up in ${Math.ceil(text.length / 1000)} chunks.`
          ) : null}
        </p>
      </main>
    </div>
  );
}

const Message = memo(function Message({ line: item, me }: { line: Line; me: string }) {
  if (item.kind === 'notice') {
    return (
      <li className="notice" data-testid="notice">
        {item.user} {item.text}
      </li>
    );
  }
  return (
    <li data-testid="message">
      <time dateTime={item.at}>{item.time}</time>
      <span className={item.user === me ? 'user me' : 'user'}>{item.user}</span>
      <span className="text">{item.text}</span>
      {item.receipt && (
        <span className="receipt" data-testid="receipt">
          {item.receipt === 'read' ? '✓ read' : item.receipt === 'unread' ? 'not read yet' : 'sent'}
        </span>
      )}
    </li>
  );
});

function Banner() {
  const state = useHubState(chat);
  const retryAt = state.nextRetryAt;
  // Renders again four times a second while counting down.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (retryAt === null) return;
    const timer = setInterval(() => setTick((tick) => tick + 1), 250);
    return () => clearInterval(timer);
  }, [retryAt]);
  const { tone, title, why, canReconnect } = banner(state, Date.now());
  return (
    <div
      className={`status ${tone}`}
      role="status"
      data-testid="connection-status"
      data-status={state.status}
    >
      <strong>{title}</strong>
      {why && <span className="why">{why}</span>}
      {canReconnect && (
        <button data-testid="reconnect-now" onClick={() => reconnectNow(chat)}>
          Reconnect now
        </button>
      )}
    </div>
  );
}
