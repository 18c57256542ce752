// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` for `files`: no binding or example, and none of `above` (core's upper layers). */
function restrictImports(files, above) {
  const patterns = [
    {
      group: ['@hubrx/react', '@hubrx/vue', '@hubrx/angular', '**/examples/**'],
      message: 'Nothing depends on a binding or an example.',
    },
  ];
  if (above.length > 0)
    patterns.push({ group: above, message: 'A layer of core never imports one above it.' });
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'test/server/**', 'coverage/**', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', '*/tsdown.config.ts', 'scripts/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  // Dependencies point one way: bindings -> core; mock-server -> core's codecs; nothing depends on a binding or an
  // example. In core, a layer never imports one above it (see `layer`).
  restrictImports(['core/src/**/*.ts', 'mock-server/src/**/*.ts'], []),
  // Lowest: common/ (clock, logger, deferred, HTTP, tokens) and errors.ts, then the codecs (protocol/, msgpack/).
  restrictImports(
    ['core/src/common/**/*.ts', 'core/src/protocol/**/*.ts', 'core/src/msgpack/**/*.ts'],
    ['../transports/*', '../node/*', '../client/*', '../shared/*'],
  ),
  // Then transports/ (and the Node adapters of node/), then client/ (the connection), then shared/ (shared hubs).
  restrictImports(['core/src/transports/**/*.ts', 'core/src/node/**/*.ts'], ['../client/*', '../shared/*']),
  restrictImports(['core/src/client/**/*.ts'], ['../shared/*']),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    // Tests poke at untyped wire data on purpose.
    files: ['**/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
