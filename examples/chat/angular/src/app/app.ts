import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { DEMO_PASSWORD, DEMO_USERS } from '../../../shared/contract';
import { ChatComponent } from './chat';
import { chat, session } from './chat-hub';

@Component({
  selector: 'chat-root',
  imports: [ChatComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (user(); as name) {
      <chat-room [user]="name" (logout)="logout()" />
    } @else {
      <main class="login">
        <form (submit)="login($event)">
          <h1>hubrx chat <small>Angular</small></h1>
          <p class="hint">Demo users: {{ demoUsers }}; password {{ demoPassword }}</p>
          <label>
            User
            <input name="user" data-testid="login-user" autocomplete="username" required autofocus />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              data-testid="login-password"
              autocomplete="current-password"
              required
            />
          </label>
          @if (error(); as message) {
            <p class="error" role="alert" data-testid="error">{{ message }}</p>
          }
          <button class="primary" data-testid="login-submit" [disabled]="busy()">Sign in</button>
        </form>
      </main>
    }
  `,
})
export class App {
  readonly user = signal(session.user);
  readonly error = signal<string | undefined>(undefined);
  readonly busy = signal(false);
  readonly demoUsers = DEMO_USERS.join(', ');
  readonly demoPassword = DEMO_PASSWORD;

  async login(event: Event): Promise<void> {
    event.preventDefault();
    this.busy.set(true);
    this.error.set(undefined);
    try {
      this.user.set(await session.loginWith(event.target as HTMLFormElement));
    } catch (failure) {
      this.error.set((failure as Error).message);
    } finally {
      this.busy.set(false);
    }
  }

  async logout(): Promise<void> {
    this.user.set(undefined);
    // Now, not after the hub's grace period: the next user must not inherit this connection.
    await chat.connection.stop();
    await session.logout();
  }
}
