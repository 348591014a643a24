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

// Suites about the HTTP layer alone (limits, keys, headers, logs, the document): the same on either
// database, so they run once, in the PostgreSQL project.
const HTTP_LAYER_ONLY = [
  'test/reliability/rate-limit',
  'test/reliability/api-keys',
  'test/reliability/slow-clients',
  'test/reliability/wide-bodies',
  'test/reliability/security-headers',
  'test/logging',
  'test/unknown-query-params',
  'test/openapi',
].map((file) => `<rootDir>/${file}\\.e2e-spec\\.ts$`);

module.exports = {
  testTimeout: 60_000,
  // Two test files at once on 2 cores: most of an e2e file's time is spent waiting on the processes it
  // starts (services, PostgreSQL, PGlite), not in jest.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...e2e, displayName: 'e2e-postgres', setupFiles: ['<rootDir>/test/support/use-postgres.js'] },
    {
      ...e2e,
      displayName: 'e2e-pglite',
      setupFiles: ['<rootDir>/test/support/use-pglite.js'],
      testPathIgnorePatterns: ['/node_modules/', ...HTTP_LAYER_ONLY],
    },
  ],
};
