/** What a line typed in the terminal asks for. */
export type Command =
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'join'; readonly room: string }
  | { readonly kind: 'leave'; readonly room: string }
  | { readonly kind: 'room'; readonly room: string; readonly text: string }
  | { readonly kind: 'dm'; readonly to: string; readonly text: string }
  | { readonly kind: 'who' }
  | { readonly kind: 'rooms' }
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'invalid'; readonly message: string };

export const HELP = [
  'Type a line to send it to everyone. Commands:',
  '  /join <room>          join a room (and see its history)',
  '  /leave <room>         leave it',
  '  /room <room> <text>   send to a room you joined',
  '  /dm <user> <text>     a direct message (you learn whether it was read)',
  '  /who                  who is online',
  '  /rooms                the rooms',
  '  /quit                 leave (Ctrl+D too)',
  '  //text                a message starting with /',
].join('\n');

/** Parses one line of input. */
export function parseCommand(line: string): Command {
  if (line.trim() === '') return { kind: 'nothing' };
  if (line.startsWith('//')) return { kind: 'say', text: line.slice(1) };
  if (!line.startsWith('/')) return { kind: 'say', text: line };
  const match = /^\/(\S+)\s*(.*)$/s.exec(line);
  const name = match?.[1]?.toLowerCase() ?? '';
  const rest = match?.[2] ?? '';
  const [first = '', ...others] = rest.split(/\s+/);
  const text = rest.slice(first.length).replace(/^\s/, '');
  switch (name) {
    case 'join':
    case 'leave':
      return first === ''
        ? { kind: 'invalid', message: `Usage: /${name} <room>` }
        : { kind: name, room: first };
    case 'room':
      return first === '' || others.length === 0
        ? { kind: 'invalid', message: 'Usage: /room <room> <text>' }
        : { kind: 'room', room: first, text };
    case 'dm':
    case 'msg':
      return first === '' || others.length === 0
        ? { kind: 'invalid', message: 'Usage: /dm <user> <text>' }
        : { kind: 'dm', to: first, text };
    case 'who':
    case 'rooms':
    case 'help':
    case 'quit':
      return { kind: name };
    case 'exit':
      return { kind: 'quit' };
    default:
      return { kind: 'invalid', message: `Unknown command /${name}. /help lists them.` };
  }
}
