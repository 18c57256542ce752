/**
 * ASP.NET Core's error texts (`ErrorMessageHelper`, `DefaultHubDispatcher`, `HubConnectionHandler`), byte for
 * byte: clients and their tests match on them.
 */

/** The short .NET-style type name of a thrown value: `HubException`, `InvalidOperationException`, ... */
export function exceptionTypeName(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? 'Exception' : error.name;
  return 'Exception';
}

function exceptionMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `message`, plus ` <Type>: <message>` when errors are detailed or the error is a HubException (recognised by name,
 * so that a HubException from another copy of this package counts too).
 */
export function buildErrorMessage(message: string, error: unknown, detailed: boolean): string {
  return (error instanceof Error && error.name === 'HubException') || detailed
    ? `${message} ${exceptionTypeName(error)}: ${exceptionMessage(error)}`
    : message;
}

export const methodDoesNotExist = (target: string) =>
  `Failed to invoke '${target}' due to an error on the server. HubException: Method does not exist.`;

export const bindingFailure = (target: string, detail: string, detailed: boolean) =>
  `Failed to invoke '${target}' due to an error on the server.${detailed ? ` InvalidDataException: ${detail}` : ''}`;

export const argumentCount = (provided: number, expected: number) =>
  `Invocation provides ${provided} argument(s) but target expects ${expected}.`;

export const unauthorized = (target: string) => `Failed to invoke '${target}' because user is unauthorized`;

export const invocationFailed = (target: string, error: unknown, detailed: boolean) =>
  buildErrorMessage(`An unexpected error occurred invoking '${target}' on the server.`, error, detailed);

export const streamingWithInvocation = (target: string) =>
  `The client attempted to invoke the streaming '${target}' method with a non-streaming invocation.`;

export const nonStreamingWithStreamInvocation = (target: string) =>
  `The client attempted to invoke the non-streaming '${target}' method with a streaming invocation.`;

export const streamCountMismatch = (target: string, sent: number, expected: number) =>
  `An unexpected error occurred invoking '${target}' on the server. HubException: Client sent ${sent} stream(s), Hub method expects ${expected}.`;

export const invocationIdInUse = (id: string) => `Invocation ID '${id}' is already in use.`;

export const streamFailed = (error: unknown, detailed: boolean) =>
  buildErrorMessage('An error occurred on the server while streaming results.', error, detailed);

export const notAStream = (name: string) =>
  `The value returned by the streaming method '${name}' is not a ChannelReader<> or IAsyncEnumerable<>.`;

export const connectionClosedWithError = (error: unknown, detailed: boolean) =>
  buildErrorMessage('Connection closed with an error.', error, detailed);

/** The errors whose type and message are shown after `Connection closed with an error.` with detailed errors. */
export class ClientTimeoutError extends Error {
  override readonly name = 'OperationCanceledException' as const;
  constructor() {
    super("Client hasn't sent a message/ping within the configured ClientTimeoutInterval.");
  }
}

/** ASP.NET Core's `IOException` of client results: the connection is unknown, or went away before answering. */
export class ConnectionIOError extends Error {
  override readonly name = 'IOException' as const;
}

export const connectionDoesNotExist = (connectionId: string) =>
  `Connection '${connectionId}' does not exist.`;

export const connectionDisconnected = (connectionId: string) => `Connection '${connectionId}' disconnected.`;

/** ASP.NET Core's `InvalidOperationException`, e.g. for a client result asked for inside `OnConnectedAsync`. */
export class InvalidOperationError extends Error {
  override readonly name = 'InvalidOperationException' as const;
}

export const clientResultInOnConnected =
  'Client results inside OnConnectedAsync Hub methods are not allowed.';

export const handshake = {
  canceled: 'Handshake was canceled.',
  unsupportedProtocol: (protocol: string) => `The protocol '${protocol}' is not supported.`,
  unsupportedVersion: (version: number, protocol: string) =>
    `The server does not support version ${version} of the '${protocol}' protocol.`,
  unsupportedTransferFormat: (protocol: string, format: string) =>
    `Cannot use the '${protocol}' protocol on the current transport. The transport does not support '${format}' transfer format.`,
  unexpected: (error: unknown, detailed: boolean) =>
    buildErrorMessage('An unexpected error occurred during connection handshake.', error, detailed),
};
