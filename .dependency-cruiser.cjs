/**
 * dependency-cruiser: no import cycles anywhere in src (type-only imports are erased before the check, as at
 * runtime), and the engine depends on nothing outside itself. `npm run lint` runs it with ESLint.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'modules must not import each other in a circle', from: { path: '^src' }, to: { circular: true } },
    { name: 'engine-is-pure', severity: 'error', comment: 'the engine imports nothing from the app around it', from: { path: '^src/engine' }, to: { path: '^src/(ui|store|worker|lessons)' } },
    { name: 'ui-not-engine', severity: 'error', comment: 'the UI reaches the engine through the store', from: { path: '^src/ui' }, to: { path: '^src/(engine|worker)' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.(test|spec)\\.ts$' },
  },
};
