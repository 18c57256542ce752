import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// Served at /react/ by `npm start`. `@hubrx/source`: the packages' TypeScript sources, so that nothing needs building
// first (an app installing @hubrx/react from the registry drops it). The dev server (`npx vite` here) sends the hub
// and the login API to the chat server of `npm start`.
export default defineConfig({
  base: '/react/',
  plugins: [react()],
  resolve: { conditions: ['@hubrx/source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:5000',
      '/hubs': { target: 'http://127.0.0.1:5000', ws: true },
    },
  },
});
