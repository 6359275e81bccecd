/**
 * The layer rules of docs/architecture.md, checked by `npm run lint` (and so by CI):
 * faces → core services → stores → db, no import back up, no cycle, and a store is
 * imported only by the services of its own module.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Modules form no import cycle.', from: {}, to: { circular: true } },
    {
      name: 'kernel-is-the-bottom',
      severity: 'error',
      comment: 'The kernel (domain errors, events, ids) depends on nothing else of Tessera.',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'db-knows-no-domain',
      severity: 'error',
      comment: 'The database layer depends only on the kernel.',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: '^src/(db|kernel)/' },
    },
    {
      name: 'libraries-stay-below-the-core',
      severity: 'error',
      comment: 'rbac/ (ACL algebra) and tokens/ (secrets, JWTs) are libraries of the core: they know no service, face or database.',
      from: { path: '^src/(rbac|tokens)/' },
      to: { path: '^src/', pathNot: '^src/(rbac|tokens|kernel)/' },
    },
    {
      name: 'core-knows-no-face',
      severity: 'error',
      comment: 'The core never imports a face, the HTTP toolkit or the app.',
      from: { path: '^src/core/' },
      to: { path: '^src/(faces|http|app\\.ts|server\\.ts|cli\\.ts)' },
    },
    {
      name: 'stores-only-below',
      severity: 'error',
      comment: 'A store holds SQL: it imports the database, the kernel, common helpers and models, never a service.',
      from: { path: '^src/core/[^/]+/[^/]*store\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(db|kernel|rbac/model\\.ts)|^src/core/(common/|[^/]+/model\\.ts$)' },
    },
    {
      name: 'store-belongs-to-its-module',
      severity: 'error',
      comment: 'Only the services of a module import its store: every table has one owner.',
      from: { path: '^src/core/([^/]+)/' },
      to: { path: '^src/core/([^/]+)/[^/]*store\\.ts$', pathNot: '^src/core/$1/' },
    },
    {
      name: 'stores-are-private-to-the-core',
      severity: 'error',
      comment: 'Outside the core nothing imports a store.',
      from: { path: '^src/', pathNot: '^src/core/' },
      to: { path: '^src/core/[^/]+/[^/]*store\\.ts$' },
    },
    {
      name: 'faces-go-through-services',
      severity: 'error',
      comment: 'Faces and the HTTP toolkit reach data only through core services, never the database.',
      from: { path: '^src/(faces|http|compat)/' },
      to: { path: '^src/db/' },
    },
    {
      name: 'http-toolkit-knows-no-face',
      severity: 'error',
      comment: 'src/http/ is shared by every face and depends on none of them.',
      from: { path: '^src/http/' },
      to: { path: '^src/(faces|compat)/' },
    },
    {
      name: 'faces-are-independent',
      severity: 'error',
      comment: 'A face never imports another face: shared transport code lives in src/http/.',
      from: { path: '^src/(faces|compat)/([^/]+)/' },
      to: { path: '^src/(faces|compat)/', pathNot: '^src/$1/$2/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
