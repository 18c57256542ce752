import { Injectable, signal } from '@angular/core';
import { injectHub, injectHubEvent, injectHubHandler, injectHubInvoke, injectHubState } from '@hubrx/angular';
import { chat } from './chat-hub';

/** A service using the hub: it lives as long as the app (the root injector). */
@Injectable({ providedIn: 'root' })
export class ChatService {
  readonly connection = injectHub(chat);
  readonly state = injectHubState(chat);
  readonly add = injectHubInvoke(chat, 'Add');
  readonly messages = signal<string[]>([]);

  constructor() {
    injectHubEvent(chat, 'Message', (user, text) =>
      this.messages.update((list) => [...list, `${user}: ${text}`]),
    );
    injectHubHandler(chat, 'Confirm', (question) => question === 'ok?');
  }
}
