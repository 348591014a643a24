/**
 * `npm test` runs the unit tests, then the e2e suite twice: on PostgreSQL (TEST_DATABASE_URL, else DATABASE_URL, else
 * the local server) and on embedded PGlite.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const moduleNameMapper = {
  '^@app/(domain|application|infrastructure)(|/.*)$': '<rootDir>/libs/$1/src$2',
};
// Dependencies that ship only ES modules, compiled to CommonJS for jest.
const ESM_ONLY = ['content-disposition'];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': tsJest,
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: '<rootDir>/test/support/esm-to-cjs.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleNameMapper,
};
// Suites that spawn dist/ must not run an old build: the global setup rebuilds when dist/ is stale.
const e2e = {
  ...common,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  slowTestThreshold: 30,
  globalSetup: '<rootDir>/test/support/build-before-e2e.ts',
};

module.exports = {
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...e2e, displayName: 'e2e-postgres', setupFiles: ['<rootDir>/test/support/use-postgres.js'] },
    { ...e2e, displayName: 'e2e-pglite', setupFiles: ['<rootDir>/test/support/use-pglite.js'] },
  ],
};
