/**
 * Databases for tests, made fast: the migrations run once per schema version into a
 * template, and every suite starts from a copy of it (PGlite: a data-directory dump loaded
 * with `loadDataDir`; PostgreSQL: `CREATE DATABASE ... TEMPLATE`). Templates are named by a
 * hash of the migrations, so a changed migration makes a new one; building one is safe when
 * several test processes race for it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Db } from '../../src/db/db.ts';
import { loadMigrations, migrate } from '../../src/db/migrate.ts';
import { openPglite, pgliteDb } from '../../src/db/pglite.ts';
import { openPostgres, type PostgresOptions } from '../../src/db/postgres.ts';

const cacheDir = new URL('../../node_modules/.cache/tessera-test/', import.meta.url).pathname;
const schemaHash = createHash('sha256')
  .update(JSON.stringify(loadMigrations()))
  .update(JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')).version)
  .digest('hex')
  .slice(0, 16);

/** Writes a file so that readers see all of it or nothing (racing writers are harmless). */
function writeAtomically(file: string, write: (tmp: string) => void): void {
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  write(tmp);
  renameSync(tmp, file);
}

const pgliteDumps = new Map<string, Promise<Blob>>();

/** The dump of a new PGlite database, empty or migrated, built once per schema version. */
function pgliteDump(kind: 'empty' | 'migrated'): Promise<Blob> {
  let dump = pgliteDumps.get(kind);
  if (!dump) {
    dump = (async () => {
      const file = join(cacheDir, `pglite-${kind}-${schemaHash}.tar`);
      if (!existsSync(file)) {
        const db = await openPglite();
        if (kind === 'migrated') await migrate(db);
        const bytes = Buffer.from(await (await db.pglite.dumpDataDir('none')).arrayBuffer());
        await db.close();
        writeAtomically(file, (tmp) => writeFileSync(tmp, bytes));
      }
      return new Blob([readFileSync(file)]);
    })();
    pgliteDumps.set(kind, dump);
  }
  return dump;
}

/** A new, empty embedded database (initdb is done once, in the template). */
export async function emptyPglite(): Promise<Db & { pglite: PGlite }> {
  return openPglite({ loadDataDir: await pgliteDump('empty') });
}

/**
 * One embedded database per test process, lent to one suite at a time: its schema is
 * dropped and migrated again for each new borrower (a fifth of loading the dump). A suite
 * that asks while it is lent (two at once) gets a database of its own, from the dump.
 */
let lent: { db: Db; busy: boolean } | undefined;

export async function migratedPglite(): Promise<Db> {
  if (lent?.busy) return openPglite({ loadDataDir: await pgliteDump('migrated') });
  const fresh = !lent;
  lent ??= { db: await openPglite({ loadDataDir: await pgliteDump('migrated') }), busy: false };
  const shared = lent;
  shared.busy = true;
  if (!fresh) {
    await shared.db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await migrate(shared.db);
  }
  // Closing returns it; closeLentDatabase ends it.
  return Object.assign(Object.create(shared.db) as Db, {
    close: async () => {
      shared.busy = false;
    },
  });
}

/**
 * A new embedded database for the CLI at `dataDir/pgdata`, initialized (a new installation)
 * or also migrated, copied from a template made once: initdb and the migrations are most of
 * a first start's time on a data directory.
 */
export async function seedPgliteDataDir(dataDir: string, options: { migrated: boolean }): Promise<void> {
  const template = join(cacheDir, `pgdata-${options.migrated ? 'migrated' : 'initialized'}-${schemaHash}`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.${randomUUID()}.tmp`;
    const db = pgliteDb(await PGlite.create(building));
    if (options.migrated) await migrate(db);
    await db.close();
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another process won the race
    }
  }
  cpSync(template, join(dataDir, 'pgdata'), { recursive: true });
}

async function adminQuery(url: string, run: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

const withDatabase = (url: string, name: string) => {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
};

let postgresTemplate: Promise<string> | undefined;

/** A migrated template database on the server, built once per schema version. */
function migratedPostgresTemplate(url: string): Promise<string> {
  postgresTemplate ??= (async () => {
    const name = `tessera_template_${schemaHash}`;
    await adminQuery(url, async (admin) => {
      await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      try {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount) return;
        // Templates of earlier schema versions are of no more use.
        const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tessera\\_template\\_%'`);
        for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name}`);
        const db = await openPostgres(withDatabase(url, name), { poolSize: 1 });
        await migrate(db);
        await db.close();
      } finally {
        await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    });
    return name;
  })();
  return postgresTemplate;
}

/**
 * A new database on the server (empty, or a copy of the migrated template), dropped on close.
 * `through` connects the app by another address (a fault-injecting proxy), with `driver` options.
 */
export async function freshPostgres(
  url: string,
  options: { migrated: boolean; through?: string; driver?: PostgresOptions },
): Promise<Db & { url: string; openAnother(through?: string): Promise<Db> }> {
  const name = `tessera_test_${randomUUID().replace(/-/g, '')}`;
  const template = options.migrated ? ` TEMPLATE ${await migratedPostgresTemplate(url)}` : '';
  await adminQuery(url, async (admin) => {
    await admin.query(`CREATE DATABASE ${name}${template}`);
  });
  const address = new URL(withDatabase(url, name));
  if (options.through) address.host = options.through;
  const db = await openPostgres(address.href, options.driver);
  const close = db.close;
  return Object.assign(db, {
    /** Where the database is (what a spawned server is given). */
    url: withDatabase(url, name),
    /** Another pool on the same database (a second instance), directly or through a proxy. */
    openAnother(through?: string) {
      const other = new URL(withDatabase(url, name));
      if (through) other.host = through;
      return openPostgres(other.href, options.driver);
    },
    async close() {
      await close();
      await adminQuery(url, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  });
}

/** Ends the lent database (registered once per test process, after every suite). */
export async function closeLentDatabase(): Promise<void> {
  await lent?.db.close();
  lent = undefined;
}
