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
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';

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

let pgliteDump: Promise<Blob> | undefined;

/** The dump of a migrated PGlite database, built once per schema version. */
function migratedPgliteDump(): Promise<Blob> {
  pgliteDump ??= (async () => {
    const file = join(cacheDir, `pglite-${schemaHash}.tar`);
    if (!existsSync(file)) {
      const db = await openPglite();
      await migrate(db);
      const dump = await db.pglite.dumpDataDir('none');
      const bytes = Buffer.from(await dump.arrayBuffer());
      await db.close();
      writeAtomically(file, (tmp) => writeFileSync(tmp, bytes));
    }
    return new Blob([readFileSync(file)]);
  })();
  return pgliteDump;
}

export async function migratedPglite(): Promise<Db> {
  return openPglite({ loadDataDir: await migratedPgliteDump() });
}

/**
 * A fresh, initialized but unmigrated PGlite data directory for the CLI at `dataDir/pgdata`,
 * copied from a template made once (initdb is most of a first start's time).
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const template = join(cacheDir, `pgdata-${schemaHash}`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.${randomUUID()}.tmp`;
    const db = await PGlite.create(building);
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
        await admin.query(`CREATE DATABASE ${name}`);
        const db = await openPostgres(withDatabase(url, name), 1);
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

/** A new database on the server (empty, or a copy of the migrated template), dropped on close. */
export async function freshPostgres(url: string, options: { migrated: boolean }): Promise<Db> {
  const name = `tessera_test_${randomUUID().replace(/-/g, '')}`;
  const template = options.migrated ? ` TEMPLATE ${await migratedPostgresTemplate(url)}` : '';
  await adminQuery(url, async (admin) => {
    await admin.query(`CREATE DATABASE ${name}${template}`);
  });
  const db = await openPostgres(withDatabase(url, name));
  const close = db.close;
  return Object.assign(db, {
    async close() {
      await close();
      await adminQuery(url, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  });
}
