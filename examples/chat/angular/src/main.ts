import { provideBrowserGlobalErrorListeners } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { session } from './app/chat-hub';

// Zoneless (Angular 21's default). A reload stays signed in (the login cookie): ask the server before the first
// render.
void session
  .resume()
  .then(() => bootstrapApplication(App, { providers: [provideBrowserGlobalErrorListeners()] }))
  .catch((error: unknown) => console.error(error));
