/**
 * Why ASP.NET Core's MessagePack hub protocol refuses a frame, as it names it (MessagePack-CSharp's reader and
 * `MessagePackHubProtocolWorker`): the exception the Close message shows when errors are detailed. Our parser has
 * already found the frame bad; this names the first problem as ASP.NET Core does where its words are known.
 */

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** MessagePack-CSharp's `MessagePackCode.ToFormatName`. */
function formatName(code: number): string {
  if (code <= 0x7f) return 'positive fixint';
  if (code <= 0x8f) return 'fixmap';
  if (code <= 0x9f) return 'fixarray';
  if (code <= 0xbf) return 'fixstr';
  if (code >= 0xe0) return 'negative fixint';
  const names: Readonly<Record<number, string>> = {
    0xc0: 'nil',
    0xc1: '(never used)',
    0xc2: 'false',
    0xc3: 'true',
    0xc4: 'bin 8',
    0xc5: 'bin 16',
    0xc6: 'bin 32',
    0xc7: 'ext 8',
    0xc8: 'ext 16',
    0xc9: 'ext 32',
    0xca: 'float 32',
    0xcb: 'float 64',
    0xcc: 'uint 8',
    0xcd: 'uint 16',
    0xce: 'uint 32',
    0xcf: 'uint 64',
    0xd0: 'int 8',
    0xd1: 'int 16',
    0xd2: 'int 32',
    0xd3: 'int 64',
    0xd4: 'fixext 1',
    0xd5: 'fixext 2',
    0xd6: 'fixext 4',
    0xd7: 'fixext 8',
    0xd8: 'fixext 16',
    0xd9: 'str 8',
    0xda: 'str 16',
    0xdb: 'str 32',
    0xdc: 'array 16',
    0xdd: 'array 32',
    0xde: 'map 16',
    0xdf: 'map 32',
  };
  return names[code] ?? 'unknown';
}

/** The error ASP.NET Core would raise for the first bad message of `frame`, or `fallback`. */
export function messagePackFrameError(frame: Uint8Array, fallback: Error): Error {
  let offset = 0;
  while (offset < frame.length) {
    let size = 0;
    let shift = 0;
    let pos = offset;
    let byte = 0x80;
    let bytes = 0;
    while ((byte & 0x80) !== 0) {
      if (pos >= frame.length) return fallback;
      byte = frame[pos++]!;
      if (++bytes > 5 || (bytes === 5 && byte > 0x07)) {
        return named('FormatException', 'Messages over 2GB in size are not supported.');
      }
      size |= (byte & 0x7f) << shift;
      shift += 7;
    }
    const head = frame[pos];
    if (size === 0 || head === undefined) return fallback;
    const isArray = (head >= 0x90 && head <= 0x9f) || head === 0xdc || head === 0xdd;
    if (!isArray) {
      return named(
        'MessagePackSerializationException',
        `Unexpected msgpack code ${head} (${formatName(head)}) encountered.`,
      );
    }
    if (head === 0x90) return named('InvalidDataException', "Reading 'messageType' as Int32 failed.");
    offset = pos + size;
  }
  return fallback;
}
