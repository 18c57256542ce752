/**
 * How ASP.NET Core would bind and re-serialize the test hub's .NET types, so that a value echoed by the mock comes
 * back exactly as the reference server returns it (property names as declared, found case-insensitively; GUIDs
 * lower-case; dates and bytes as System.Text.Json writes them in JSON, and as timestamp / bin in MessagePack).
 */

/** An exception with a .NET type name, for `<Type>: <message>` in detailed errors. */
export function dotnetError(type: string, message: string): Error {
  const error = new Error(message);
  error.name = type;
  return error;
}

function property(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const lower = name.toLowerCase();
  for (const [key, v] of Object.entries(value)) if (key.toLowerCase() === lower) return v;
  return undefined;
}

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

function guid(value: unknown): string {
  if (typeof value !== 'string') return EMPTY_GUID;
  const hex = value.replace(/[{}()-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw dotnetError('InvalidDataException', 'Error binding arguments.');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An ISO date string as System.Text.Json writes the DateTime it parses into: fraction trimmed, `Z` kept. */
function jsonDateTime(value: unknown): string {
  if (typeof value !== 'string') return '0001-01-01T00:00:00';
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7})\d*)?(Z|[+-]\d\d:\d\d)?$/.exec(value);
  if (match === null) throw dotnetError('InvalidDataException', 'Error binding arguments.');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return `${match[1]}${fraction === '' ? '' : `.${fraction}`}${match[3] ?? ''}`;
}

function base64(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw dotnetError('InvalidDataException', 'Error binding arguments.');
  return btoa(atob(value));
}

function intArray(value: unknown): number[] | null {
  return Array.isArray(value) ? value.map((v) => Math.trunc(Number(v))) : null;
}

/** `ComplexObject { string String; int[] IntArray; byte[] ByteArray; Guid Guid; DateTime DateTime }`. */
export function complexObject(value: unknown, protocol: string): Record<string, unknown> {
  const text = property(value, 'String');
  const bytes = property(value, 'ByteArray');
  const date = property(value, 'DateTime');
  return {
    String: typeof text === 'string' ? text : null,
    IntArray: intArray(property(value, 'IntArray')),
    ByteArray: protocol === 'messagepack' ? (bytes instanceof Uint8Array ? bytes : null) : base64(bytes),
    Guid: guid(property(value, 'Guid')),
    DateTime:
      protocol === 'messagepack'
        ? date instanceof Date
          ? date
          : new Date(Date.UTC(1, 0, 1))
        : jsonDateTime(date),
  };
}

/** The fixed value `SendComplexObject` returns. */
export function sampleComplexObject(protocol: string): Record<string, unknown> {
  const messagepack = protocol === 'messagepack';
  return {
    String: 'hello world',
    IntArray: [1, 2, 3],
    ByteArray: messagepack ? new Uint8Array([1, 2, 3]) : 'AQID',
    Guid: '00010203-0405-0607-0706-050403020100',
    DateTime: messagepack ? new Date(Date.UTC(2000, 0, 1)) : '2000-01-01T00:00:00Z',
  };
}

/** `CustomObject { string Name; int Value }`. */
export function customObject(value: unknown): Record<string, unknown> {
  const name = property(value, 'Name');
  const number = property(value, 'Value');
  return {
    Name: typeof name === 'string' ? name : null,
    Value: typeof number === 'number' ? Math.trunc(number) : 0,
  };
}
