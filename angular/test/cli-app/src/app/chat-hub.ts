import { createHub } from '@hubrx/angular';
import type { StreamResult } from '@hubrx/core';

export interface ChatServer {
  Send(user: string, text: string): void;
  Add(a: number, b: number): number;
  History(room: string, count: number): StreamResult<string>;
}

export interface ChatClient {
  Message(user: string, text: string): void;
  Confirm(question: string): boolean;
}

// At module scope: nothing is created or opened until a component or service uses it (also when prerendering).
// Relative: the page's own host serves the hub.
export const chat = createHub<ChatServer, ChatClient>({ url: '/chat' });
