/** The dependency rule: domain <- application <- infrastructure <- apps. A wrong arrow fails `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain-typescript',
      comment: 'libs/domain imports nothing of ours and no framework: only node built-ins.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: ['^libs/domain/', 'node_modules/@types/node'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'application-depends-on-domain-only',
      comment: 'libs/application may use libs/domain and @nestjs/common (for @Injectable) only.',
      severity: 'error',
      from: { path: '^libs/application/' },
      to: {
        pathNot: ['^libs/application/', '^libs/domain/', 'node_modules/@nestjs/common/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'infrastructure-does-not-know-apps',
      severity: 'error',
      from: { path: '^libs/infrastructure/' },
      to: { path: '^apps/' },
    },
    {
      name: 'client-stands-alone',
      comment:
        'libs/client is a package of its own, for Node and browsers: it imports nothing outside libs/client, no node built-in and no package.',
      severity: 'error',
      from: { path: '^libs/client/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^libs/client/' },
    },
    {
      name: 'production-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
