import { ChangeDetectionStrategy, Component, computed, effect, signal } from '@angular/core';
import { injectHubState } from '@hubrx/angular';
import { banner, reconnectNow } from '../../../shared/chat';
import { chat } from './chat-hub';

@Component({
  selector: 'chat-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div
      [class]="'status ' + shown().tone"
      role="status"
      data-testid="connection-status"
      [attr.data-status]="state().status"
    >
      <strong>{{ shown().title }}</strong>
      @if (shown().why; as why) {
        <span class="why">{{ why }}</span>
      }
      @if (shown().canReconnect) {
        <button data-testid="reconnect-now" (click)="reconnectNow()">Reconnect now</button>
      }
    </div>
  `,
})
export class BannerComponent {
  readonly state = injectHubState(chat);
  readonly retryAt = computed(() => this.state().nextRetryAt);
  readonly now = signal(Date.now());
  readonly shown = computed(() => banner(this.state(), this.now()));

  constructor() {
    // Ticks four times a second while counting down.
    effect((onCleanup) => {
      if (this.retryAt() === null) return;
      this.now.set(Date.now());
      const timer = setInterval(() => this.now.set(Date.now()), 250);
      onCleanup(() => clearInterval(timer));
    });
  }

  reconnectNow(): void {
    reconnectNow(chat);
  }
}
