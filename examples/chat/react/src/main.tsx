import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../../shared/styles.css';
import { App } from './App.js';
import { session } from './chat-hub.js';

const root = createRoot(document.getElementById('root')!);
// A reload stays signed in (the login cookie): ask the server before the first render.
void session.resume().then((user) =>
  root.render(
    <StrictMode>
      <App initialUser={user} />
    </StrictMode>,
  ),
);
