import { useState, type FormEvent } from 'react';
import { DEMO_PASSWORD, DEMO_USERS } from '../../shared/contract.js';
import { Chat } from './Chat.js';
import { chat, session } from './chat-hub.js';

export function App({ initialUser }: { initialUser: string | undefined }) {
  const [user, setUser] = useState(initialUser);
  if (user === undefined) return <Login onLogin={setUser} />;
  const logout = async () => {
    setUser(undefined);
    // Now, not after the hub's grace period: the next user must not inherit this connection.
    await chat.connection.stop();
    await session.logout();
  };
  return <Chat user={user} onLogout={() => void logout()} />;
}

function Login({ onLogin }: { onLogin: (user: string) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await session.loginWith(event.currentTarget));
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={(event) => void submit(event)}>
        <h1>
          hubrx chat <small>React</small>
        </h1>
        <p className="hint">
          Demo users: {DEMO_USERS.join(', ')}; password {DEMO_PASSWORD}
        </p>
        <label>
          User
          <input name="user" data-testid="login-user" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            data-testid="login-password"
            autoComplete="current-password"
            required
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="error">
            {error}
          </p>
        )}
        <button className="primary" data-testid="login-submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
