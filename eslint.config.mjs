// Lint: typescript-eslint's recommended rules, plus the layer boundaries of docs/ARCHITECTURE.md as
// restricted imports, so that `vscode` stays out of the pure layers and the webview, and Node's
// I/O stays out of core, formats and sourcemaps.
import tseslint from 'typescript-eslint';

const nodeIo = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
  'http',
  'node:http',
];
const noVscode = {
  name: 'vscode',
  message: 'Only src/extension may import vscode (docs/ARCHITECTURE.md, Boundaries).',
};

export default tseslint.config(
  {
    ignores: [
      '.bench/**',
      'node_modules/**',
      'dist/**',
      'out/**',
      'test-output/**',
      'examples/**',
      'test/fixtures/**',
      '.vscode-test/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  {
    files: ['src/core/**', 'src/formats/**', 'src/sourcemaps/**', 'src/shared/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noVscode,
            ...nodeIo.map((name) => ({
              name,
              message: 'Pure layers take I/O as parameters (docs/ARCHITECTURE.md, Boundaries).',
            })),
          ],
        },
      ],
    },
  },
  {
    files: ['src/runners/**', 'src/cli/**', 'webview/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['webview/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noVscode,
            ...nodeIo.map((name) => ({ name, message: 'The webview runs in a browser.' })),
          ],
          patterns: [
            {
              group: ['**/extension/**', '**/runners/**', '**/cli/**'],
              message: 'The webview imports the pure layers and src/shared only.',
            },
          ],
        },
      ],
    },
  },
);
