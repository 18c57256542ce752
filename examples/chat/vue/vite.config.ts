import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig } from 'vite';

// Served at /vue/ by `npm start`. `@hubrx/source`: the packages' TypeScript sources, so that nothing needs building
// first (an app installing @hubrx/vue from the registry drops it). The dev server (`npx vite` here) sends the hub
// and the login API to the chat server of `npm start`.
export default defineConfig({
  base: '/vue/',
  plugins: [vue()],
  resolve: { conditions: ['@hubrx/source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:5000',
      '/hubs': { target: 'http://127.0.0.1:5000', ws: true },
    },
  },
});
