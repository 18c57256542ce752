import type { ConnectionState } from '@hubrx/core';

import type { ReadReceipt, RoomMessage } from '../shared/contract.js';

// One line per event; `*` marks the chat's own notices and `!` errors, so that messages stand out.

export const formatMessage = (user: string, text: string): string => `${user}: ${text}`;

export const formatRoomMessage = (message: RoomMessage, fromHistory = false): string =>
  `[${message.room}]${fromHistory ? ' (history)' : ''} ${message.user}: ${message.text}`;

export const formatDirect = (from: string, text: string): string => `(dm from ${from}) ${text}`;

export const formatReceipt = (receipt: ReadReceipt): string =>
  receipt.read ? `* ${receipt.to} read your message` : `* ${receipt.to} has not read your message`;

export const formatPresence = (users: readonly string[]): string => `* online: ${users.join(', ')}`;

/** The text of a server error without the hub's prefix (`An unexpected error ... HubException: `). */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const hubException = /HubException: (.*)$/s.exec(message);
  return `! ${hubException?.[1] ?? message}`;
}

/** The connection state as a notice, or undefined when there is nothing to say. */
export function formatState(state: ConnectionState): string | undefined {
  switch (state.status) {
    case 'connecting':
      return '* connecting…';
    case 'connected':
      return `* connected (${state.transport ?? 'unknown transport'})`;
    case 'reconnecting': {
      const why = state.lastError === null ? '' : `: ${state.lastError.message}`;
      if (state.nextRetryInMs !== null)
        return `* reconnecting… attempt ${state.attempt}, next try in ${Math.ceil(state.nextRetryInMs / 1000)} s${why}`;
      return state.attempt === 0 ? `* reconnecting…${why}` : `* reconnecting… attempt ${state.attempt}`;
    }
    case 'disconnected':
      return state.lastError === null ? '* disconnected' : `* disconnected: ${state.lastError.message}`;
    case 'disconnecting':
      return undefined;
  }
}
