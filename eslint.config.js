// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders may only import from the layers beneath them: schemas <- sdk <- reference implementations. */
const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [group], message })) },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '**/generated/**',
      '**/fixtures/**',
      'examples/**/vendor/**',
      'reference-host/dist/**',
      'reference-host/android/**',
      'reference-host/ios/**',
      '.tools/**',
      'load-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        window: 'readonly',
        document: 'readonly',
        globalThis: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        localStorage: 'readonly',
        navigator: 'readonly',
        MessageChannel: 'readonly',
        MiniAppBridge: 'readonly',
        miniapp: 'readonly',
      },
    },
  },
  layer(
    ['schemas/**'],
    ['#sdk/*', '**/sdk/**', '**/reference-*/**', '**/conformance/**'],
    'schemas depend on nothing else in this repository.',
  ),
  {
    // Mini-app pages load these as classic scripts that share the page's globals.
    files: ['examples/**/*.js'],
    languageOptions: { sourceType: 'script' },
  },
  layer(
    ['reference-server/**'],
    ['**/reference-host/**', '**/conformance/**'],
    'the reference server talks to hosts only over the HTTP contract.',
  ),
  layer(['sdk/**'], ['**/reference-*/**', '**/conformance/**'], 'the sdk depends only on schemas.'),
  layer(
    ['conformance/**'],
    [
      '**/reference-*/**',
      '#sdk/package/*',
      '#sdk/manifest/*',
      '#sdk/review/*',
      '#sdk/validation/*',
      '#sdk/cli/*',
      '**/sdk/src/**',
    ],
    'the conformance suite reaches implementations only through adapters and is a second opinion on the toolkit: it shares no validation code with it (sdk only through #sdk/<area>/index.ts, to build inputs).',
  ),
  layer(
    ['reference-host/**'],
    ['**/reference-server/**', '**/conformance/**', '!**/reference-host/**'],
    'the reference host talks to servers only over the HTTP contract and is certified by, never built on, the conformance suite.',
  ),
);
