import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the packages' TypeScript sources (the `@hubrx/source` export condition), not a build.
const conditions = ['@hubrx/source'];

export default defineConfig({
  resolve: { conditions: [...conditions, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [...conditions, ...defaultServerConditions] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['core/test/**/*.test.ts'], environment: 'node' },
      },
    ],
  },
});
