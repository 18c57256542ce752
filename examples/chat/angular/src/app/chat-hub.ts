// The chat hub, created once at module scope: nothing connects until a component uses it.
import { createHub } from '@hubrx/angular';
import { hubOptions } from '../../../shared/chat';
import type { ChatClient, ChatServer } from '../../../shared/contract';
import { Session } from '../../../shared/session';

export const session = new Session();
export const chat = createHub<ChatServer, ChatClient>(hubOptions(session));
