import { Component, inject, input } from '@angular/core';
import { injectHubInvoke, injectHubStream } from '@hubrx/angular';
import { chat } from './chat-hub';
import { ChatService } from './chat.service';

@Component({
  selector: 'chat-room',
  template: `
    <p id="status">{{ service.state().status }}</p>
    <p id="history">{{ history.items().join(',') }} {{ history.status() }}</p>
    <p id="messages">{{ service.messages().join('|') }}</p>
    <p id="sum">{{ service.add.value() }}</p>
    <button id="add" (click)="service.add.invoke(20, 22)">add</button>
    <button id="send" [disabled]="send.pending()" (click)="send.invoke('me', 'hello ' + room())">send</button>
  `,
})
export class Room {
  readonly service = inject(ChatService);
  readonly room = input('general');
  // A signal input in the stream's arguments: a new room cancels the old stream and calls History(room, 3).
  readonly history = injectHubStream(chat, 'History', () => [this.room(), 3]);
  readonly send = injectHubInvoke(chat, 'Send');
}
