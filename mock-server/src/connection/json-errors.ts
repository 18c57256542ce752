/**
 * Why ASP.NET Core's JSON hub protocol refuses a frame, in its words (`JsonHubProtocol.ParseMessage`): the
 * `InvalidDataException` text that ends up in the Close message when errors are detailed. Our own parser has
 * already found the frame bad; this finds the first bad record again and names the problem as ASP.NET Core does.
 */

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The fields ASP.NET Core checks the type of as it reads them. */
const FIELD_TYPES: Readonly<Record<string, 'String' | 'Number' | 'Array' | 'Object' | 'Boolean'>> = {
  type: 'Number',
  invocationId: 'String',
  target: 'String',
  arguments: 'Array',
  streamIds: 'Array',
  error: 'String',
  allowReconnect: 'Boolean',
  sequenceId: 'Number',
  headers: 'Object',
};

const REQUIRED: Readonly<Record<number, readonly string[]>> = {
  1: ['target', 'arguments'],
  2: ['invocationId', 'item'],
  3: ['invocationId'],
  4: ['invocationId', 'target', 'arguments'],
  5: ['invocationId'],
  8: ['sequenceId'],
  9: ['sequenceId'],
};

/** The JSON token names ASP.NET Core prints. */
export function tokenName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'Array';
  switch (typeof value) {
    case 'string':
      return 'String';
    case 'number':
      return 'Number';
    case 'boolean':
      return value ? 'True' : 'False';
    default:
      return 'Object';
  }
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'String':
      return typeof value === 'string' || value === null;
    case 'Number':
      return typeof value === 'number';
    case 'Array':
      return Array.isArray(value) || value === null;
    case 'Boolean':
      return typeof value === 'boolean';
    default:
      return (typeof value === 'object' && !Array.isArray(value)) || value === null;
  }
}

function recordError(record: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    return 'Error reading JSON.';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `Unexpected JSON Token Type '${tokenName(value)}'. Expected a JSON Object.`;
  }
  const message = value as Record<string, unknown>;
  for (const [field, expected] of Object.entries(FIELD_TYPES)) {
    if (field in message && !isType(message[field], expected))
      return `Expected '${field}' to be of type ${expected}.`;
  }
  if (!('type' in message)) return "Missing required property 'type'.";
  for (const field of REQUIRED[message.type as number] ?? []) {
    if (!(field in message) || (field !== 'item' && message[field] === null)) {
      return `Missing required property '${field}'.`;
    }
  }
  if (message.type === 3 && 'error' in message && 'result' in message && message.error !== null) {
    return "The 'error' and 'result' properties are mutually exclusive.";
  }
  return undefined;
}

/** ASP.NET Core's text for the first record of `frame` it would refuse (`Error reading JSON.` by default). */
export function jsonFrameError(frame: string | Uint8Array): string {
  let text: string;
  try {
    text = typeof frame === 'string' ? frame : fatalUtf8.decode(frame);
  } catch {
    return 'Error reading JSON.';
  }
  const records = text.split('\x1e');
  records.pop();
  for (const record of records) {
    const error = recordError(record);
    if (error !== undefined) return error;
  }
  return 'Error reading JSON.';
}
