/**
 * The architecture, checked: SQL lives only in stores (and the database layer), and every
 * table is written by exactly one module, its owner (docs/architecture.md). The import
 * rules between layers are checked by dependency-cruiser in `npm run lint`.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { notingTables } from '../src/core/changes.ts';

const src = new URL('../src/', import.meta.url);

/** The owner of each table (read-only reference tables, seeded by migrations, have none). */
const owners: Record<string, string> = {
  organizations: 'organizations',
  oauth2_providers: 'providers',
  users: 'users',
  organization_users: 'users',
  user_identities: 'users',
  signup_tokens: 'users',
  groups: 'groups',
  group_roles: 'groups',
  group_users: 'groups',
  group_service_accounts: 'groups',
  service_accounts: 'serviceaccounts',
  credentials: 'credentials',
  projects: 'projects',
  project_groups: 'projects',
  quotas: 'quotas',
  allocations: 'quotas',
  allocation_items: 'quotas',
  oauth_clients: 'clients',
  sessions: 'sessions',
  authorization_codes: 'sessions',
  refresh_tokens: 'sessions',
  browser_sessions: 'sessions',
  login_requests: 'sessions',
  signing_keys: 'keys',
  api_tokens: 'apitokens',
  api_token_grants: 'apitokens',
  api_token_policies: 'apitokens',
  audit_events: 'audit',
  rate_limit_counters: 'ratelimits',
  oidc_claims: 'oidcclaims',
  trust_policies: 'trustpolicies',
};

function files(dir: URL, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`) : entry.name.endsWith('.ts') ? [`${prefix}${entry.name}`] : [],
  );
}

const sources = files(src).map((path) => ({ path, text: readFileSync(new URL(path, src), 'utf8') }));
const linkTables = Object.fromEntries(
  [...readFileSync(new URL('core/common/links.ts', src), 'utf8').matchAll(/(\w+): \{ table: '(\w+)'/g)].map((m) => [m[1], m[2]]),
);

describe('architecture', () => {
  it('keeps SQL in stores and the database layer', () => {
    const withSql = sources.filter(({ text }) => /[`'"]\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+ AS)\b/.test(text)).map(({ path }) => path);
    const elsewhere = withSql.filter((path) => !/^core\/[^/]+\/[^/]*store\.ts$/.test(path) && !path.startsWith('db/') && path !== 'core/common/links.ts');
    assert.deepEqual(elsewhere, []);
  });

  it('has no import cycle between core modules (file cycles are dependency-cruiser’s)', () => {
    const uses = new Map<string, Set<string>>();
    for (const { path, text } of sources) {
      const module = /^core\/([^/]+)\//.exec(path)?.[1];
      if (!module || module === 'common') continue;
      for (const [, other] of text.matchAll(/from '\.\.\/([^/.']+)\//g)) {
        if (other !== module && other !== 'common' && existsSync(new URL(`core/${other}/`, src))) uses.set(module, (uses.get(module) ?? new Set()).add(other!));
      }
    }
    const cycles: string[] = [];
    const visit = (module: string, trail: string[]) => {
      if (trail.includes(module)) return void cycles.push([...trail.slice(trail.indexOf(module)), module].join(' → '));
      for (const next of uses.get(module) ?? []) visit(next, [...trail, module]);
    };
    for (const module of uses.keys()) visit(module, []);
    assert.deepEqual(cycles, []);
  });

  it('marks every statement that writes a change-noting table as such (QueryOptions.notes)', () => {
    const noting = new Set<string>(notingTables);
    const unmarked: string[] = [];
    for (const { path, text } of sources.filter(({ path }) => /^core\/.*(store|links)\.ts$/.test(path))) {
      // Each db.query call, up to the next one or the end of its function: the statement and what it says of itself.
      for (const call of text.split(/\.query(?:<[^>]*>)?\(/).slice(1)) {
        const statement = call.split('\n}\n')[0]!;
        const writes = [...statement.matchAll(/\b(?:INSERT\s+INTO|(?<!FOR )UPDATE|DELETE\s+FROM)\s+(\$\{link\.table\}|\w+)/g)].map((m) => m[1]!);
        if (writes.some((table) => noting.has(table) || table.startsWith('$')) && !/notes: true/.test(statement))
          unmarked.push(`${path}: ${writes.join(', ')}`);
      }
    }
    assert.deepEqual(unmarked, []);
  });

  it('has exactly one writing module per table, its owner', () => {
    const writers = new Map<string, Set<string>>();
    for (const { path, text } of sources) {
      const module = /^core\/([^/]+)\//.exec(path)?.[1] ?? path;
      const tables = [
        ...[...text.matchAll(/\b(?:INSERT INTO|(?<!FOR )UPDATE|DELETE FROM)\s+(?!SET\b)(\w+)/g)].map((m) => m[1]!),
        ...[...text.matchAll(/replaceLinks\(\s*\w+,\s*(?:links\.(\w+)|[^,]*\? links\.(\w+) : links\.(\w+))/g)].flatMap((m) =>
          m
            .slice(1)
            .filter(Boolean)
            .map((name) => linkTables[name!]!),
        ),
      ].filter((table) => table !== 'schema_migrations');
      for (const table of tables) writers.set(table, (writers.get(table) ?? new Set()).add(module));
    }
    const found = Object.fromEntries([...writers].map(([table, modules]) => [table, [...modules].sort().join(', ')]));
    assert.deepEqual(found, owners);
  });
});
