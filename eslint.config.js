// ESLint (flat config): typescript-eslint's recommended rules, the house style (the formatter: @stylistic's rules,
// applied by `npm run format`, checked by `npm run lint`) and the layering of the house —
// imports point one way: ui → store → worker → engine. Cycles are checked by dependency-cruiser
// (.dependency-cruiser.cjs); both run in `npm run lint`, part of `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import stylistic from '@stylistic/eslint-plugin';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', 'public/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The formatter. The house writes compact code (a short `if` on one line, tables of one-line cases), which Prettier
  // would unfold into thousands of lines; these rules fix what a formatter fixes (indentation, quotes, semicolons,
  // spacing, trailing commas, line length) and leave line breaks to the author. `npm run format` applies them.
  {
    ignores: ['src/engine/guc/pg15settings.ts', 'src/engine/catalog/pg15names.ts', 'src/engine/pl/plerrcodes.ts'], // generated from PostgreSQL's lists
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['TemplateLiteral *', 'ConditionalExpression', 'TSUnionType'], offsetTernaryExpressions: true, flatTernaryExpressions: true }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/semi-spacing': 'error',
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/comma-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/block-spacing': 'error',
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/key-spacing': 'error',
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-before-function-paren': ['error', { anonymous: 'always', named: 'never', asyncArrow: 'always' }],
      '@stylistic/arrow-spacing': 'error',
      '@stylistic/member-delimiter-style': 'error',
      '@stylistic/type-annotation-spacing': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-tabs': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 2, maxEOF: 0 }],
      '@stylistic/max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // libpg-query's parse tree is untyped JSON: the executor reads it as Record<string, any>
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // generators that only delegate, empty catch blocks with a comment, `while (true)` loops of the executor
      'require-yield': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // the engine keeps control characters in the SQL lexer's and tracer's regular expressions on purpose
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/ui/**/*.tsx', 'src/ui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  // The engine is pure: no DOM, no React, nothing from the app around it.
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict([
      { group: ['**/ui/**', '**/store/**', '**/worker/**', '**/lessons/**'], message: 'the engine imports nothing from the app around it' },
      { group: ['react', 'react-dom', 'd3', 'd3-*', 'monaco-editor', 'comlink', 'zustand'], message: 'the engine is pure TypeScript (no DOM, no UI libraries)' },
    ]),
  },
  // The scenario runner is a client of the engine, as PostgreSQL's isolation tester is of the server.
  {
    files: ['src/scenario/**/*.ts'],
    rules: restrict([{ group: ['**/ui/**', '**/store/**', '**/worker/**'], message: 'the scenario runner knows the engine and nothing of the app' }]),
  },
  // The worker hosts the engine; it knows nothing of the store or the UI.
  {
    files: ['src/worker/**/*.ts'],
    rules: restrict([{ group: ['**/ui/**', '**/store/**'], message: 'imports point one way: ui → store → worker → engine' }]),
  },
  // The store talks to the worker; it never imports the UI, nor the engine (types allowed); the scenario format
  // (src/scenario, a client of the engine) it may read.
  {
    files: ['src/store/**/*.ts'],
    rules: restrict([
      { group: ['**/ui/**'], message: 'imports point one way: ui → store → worker → engine' },
      { regex: '(^|/)engine/', allowTypeImports: true, message: 'the store reaches the engine through the worker only' },
      { regex: '(^|/)scenario/engineDriver', message: 'the store reads the scenario format; running one on an engine is the worker\'s or a script\'s business' },
    ]),
  },
  // The UI renders the store's state; it never reaches the engine or the worker.
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: restrict([
      { group: ['**/engine/**', '**/worker/**'], allowTypeImports: true, message: 'the UI reaches the engine only through the store' },
    ]),
  },
  // The <heapscope-embed> element is one self-contained script (dist/heapscope-embed.js, loaded by docs sites as a
  // classic script): it may import types, nothing at runtime.
  {
    files: ['src/element/**/*.ts'],
    rules: restrict([{ regex: '.*', allowTypeImports: true, message: 'the element is one self-contained script: type imports only' }]),
  },
  // Shared types only.
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict([{ group: ['**/engine/**'], allowTypeImports: true, message: 'src/shared holds plain types: import engine types with `import type`' }]),
  },
);
