import { createApp } from 'vue';
import '../../shared/styles.css';
import App from './App.vue';
import { session } from './chat-hub.js';

// A reload stays signed in (the login cookie): ask the server before the first render.
void session.resume().then((user) => createApp(App, { initialUser: user }).mount('#app'));
