// The chat hub, created once at module scope: nothing connects until a component uses it.
import { createHub } from '@hubrx/react';
import { hubOptions } from '../../shared/chat.js';
import type { ChatClient, ChatServer } from '../../shared/contract.js';
import { Session } from '../../shared/session.js';

export const session = new Session();
export const chat = createHub<ChatServer, ChatClient>(hubOptions(session));
