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
const namedExportsOnly = { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' };
// A profile names paths: a FIFO would hang a plain read, /dev/zero would never end.
const readsByName = [
  {
    selector:
      'CallExpression[callee.property.name=/^(readFile|readFileSync|createReadStream|open|openSync|openAsBlob)$/]',
    message:
      'Read files through src/io/regularFile.ts (regular files only, with a size cap): a path may come from a profile.',
  },
  {
    selector:
      'CallExpression[callee.name=/^(readFile|readFileSync|createReadStream|open|openSync|openAsBlob)$/]',
    message:
      'Read files through src/io/regularFile.ts (regular files only, with a size cap): a path may come from a profile.',
  },
];
// Names and paths in a profile may carry terminal escapes.
const terminalWrites = [
  {
    selector: "MemberExpression[object.name='process'][property.name=/^(stdout|stderr)$/]",
    message:
      'Print through src/cli/terminal.ts, which escapes control characters and bidi overrides.',
  },
  {
    selector: "MemberExpression[object.name='console']",
    message:
      'Print through src/cli/terminal.ts, which escapes control characters and bidi overrides.',
  },
];
// Names and paths in a profile may carry markdown: a hover must not render their images or links.
const markdownBuilding = [
  {
    selector:
      "NewExpression[callee.property.name='MarkdownString'], NewExpression[callee.name='MarkdownString']",
    message: 'Build markdown with src/extension/markdown.ts, which escapes every value.',
  },
  {
    selector: 'CallExpression[callee.property.name=/^(appendMarkdown|appendCodeblock)$/]',
    message: 'Build markdown with src/extension/markdown.ts, which escapes every value.',
  },
  {
    selector:
      'AssignmentExpression[left.property.name=/^(isTrusted|supportHtml|supportThemeIcons)$/]',
    message: 'Markdown stays untrusted, without HTML or icons: src/extension/markdown.ts sets it.',
  },
];
// Every folder of src/, and what each pure layer may import (the layers below it).
const srcFolders = [
  'util',
  'core',
  'formats',
  'sourcemaps',
  'shared',
  'io',
  'store',
  'worker',
  'timings',
  'runners',
  'cli',
  'extension',
];
const pureLayers = [
  { folder: 'util', below: [] },
  { folder: 'core', below: ['util'] },
  { folder: 'formats', below: ['util', 'core'] },
  { folder: 'sourcemaps', below: ['util', 'core'] },
  { folder: 'shared', below: ['util', 'core', 'formats', 'sourcemaps'] },
];
const noVscode = {
  name: 'vscode',
  message: 'Only src/extension may import vscode (docs/ARCHITECTURE.md, Boundaries).',
};
// The layers that serve the extension and the CLI from below never reach back up into them.
const presenters = {
  group: ['**/extension/**', '**/cli/**', '**/webview/**'],
  message:
    'The layers below the extension and the CLI do not import them (docs/ARCHITECTURE.md, Boundaries).',
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
      'no-restricted-syntax': ['error', namedExportsOnly],
    },
  },
  // Parts stay small enough to read (docs/ARCHITECTURE.md, Boundaries): a file over 500 lines
  // says why in an `eslint-disable max-lines -- <reason>` comment at its top.
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 500 }],
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
    },
  },
  // The pure layers, lowest first (docs/ARCHITECTURE.md, Boundaries): each may import the ones
  // below it only, so the import graph between them has one direction.
  ...pureLayers.map(({ folder, below }) => ({
    files: [`src/${folder}/**`],
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
          patterns: [
            {
              group: srcFolders
                .filter((f) => f !== folder && !below.includes(f))
                .flatMap((f) => [`../${f}`, `../${f}/**`, `**/src/${f}/**`]),
              message: `src/${folder} imports ${below.length ? `only ${below.map((f) => `src/${f}`).join(', ')}` : 'nothing outside itself'} of src/ (docs/ARCHITECTURE.md, Boundaries).`,
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/runners/**', 'src/cli/**', 'webview/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['src/extension/**', 'src/cli/**', 'src/store/**', 'src/worker/**', 'src/timings/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', namedExportsOnly, ...readsByName] },
  },
  {
    files: ['src/extension/**'],
    ignores: ['**/*.test.ts', 'src/extension/markdown.ts'],
    rules: {
      'no-restricted-syntax': ['error', namedExportsOnly, ...readsByName, ...markdownBuilding],
    },
  },
  {
    files: ['src/cli/**'],
    ignores: ['**/*.test.ts', 'src/cli/terminal.ts'],
    rules: {
      'no-restricted-syntax': ['error', namedExportsOnly, ...readsByName, ...terminalWrites],
    },
  },
  {
    files: ['src/io/**', 'src/runners/**', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  // The run store, the import worker and the stage timings: Node code the extension uses, kept
  // out of src/extension so that it runs (and is tested) without VS Code. A worker thread has no
  // extension API at all. The run store and the worker read profiles, they do not run programs.
  {
    files: ['src/store/**', 'src/worker/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [
            presenters,
            {
              group: ['**/runners/**', '**/timings/**'],
              message:
                'The run store and the import worker read and keep profiles: running and timing programs is not their job.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/timings/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [presenters] }],
    },
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
              group: [
                '**/extension/**',
                '**/runners/**',
                '**/cli/**',
                '**/store/**',
                '**/worker/**',
                '**/timings/**',
              ],
              message: 'The webview imports the pure layers and src/shared only.',
            },
          ],
        },
      ],
    },
  },
);
