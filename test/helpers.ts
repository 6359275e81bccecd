/**
 * Test harness: the real app on a real database. Every suite runs on PGlite, and again on
 * PostgreSQL when TESSERA_TEST_DATABASE_URL is set (each suite gets a fresh database there).
 */
import { after, before, describe } from 'node:test';
import { type AppOptions, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { deriveKeys } from '../src/tokens/server-secret.ts';
import { closeLentDatabase, emptyPglite, freshPostgres, migratedPglite } from './support/databases.ts';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** An empty database. */
  open(): Promise<Db>;
  /** A database at the latest schema, copied from a template. */
  openMigrated(): Promise<Db>;
}

// A root hook (this module is first imported at a test file's top level): once every suite
// of the process has finished, the database lent to them is closed, so the process can exit.
after(closeLentDatabase);

export function testBackends(): Backend[] {
  const backends: Backend[] = [{ name: 'pglite', open: emptyPglite, openMigrated: migratedPglite }];
  const url = process.env.TESSERA_TEST_DATABASE_URL;
  if (url) backends.push({ name: 'postgres', open: () => freshPostgres(url, { migrated: false }), openMigrated: () => freshPostgres(url, { migrated: true }) });
  return backends;
}

export { Client, freePort, type Response, type TestContext, testSecret, uniqueName } from './support/client.ts';

import { Client, freePort, type TestContext, testSecret } from './support/client.ts';

export interface StartOptions {
  /** Listen on loopback (issuer http://127.0.0.1:port), for real HTTP clients. */
  listen?: boolean;
  /** The address to listen on (default 127.0.0.1; `::` for IPv6 clients too). */
  listenHost?: string;
  /** Use this database instead of opening one (two instances on one database). */
  db?: Db;
  /** Seams and faces to build the app with (event sink, rate limiter, extra faces). */
  app?: Pick<AppOptions, 'events' | 'limiter' | 'faces' | 'logger'>;
}

export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestContext & { url: string; close(): Promise<void> }> {
  const db = options.db ?? (await backend.openMigrated());
  await migrate(db);
  const port = options.listen ? await freePort() : 0;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    TESSERA_DATA_DIR: '/nonexistent',
    TESSERA_DEPROVISION_INTERVAL: '0',
    ...(options.listen ? { TESSERA_ISSUER: url } : {}),
    ...env,
  });
  const built = await buildApp({ config, db, keys: deriveKeys(testSecret), logger: false as const, ...options.app }).catch(async (error) => {
    if (!options.db) await db.close(); // a failed start must not keep the test process alive
    throw error;
  });
  const issued = await built.core.credentials.issueBootstrap();
  if (options.listen) await built.app.listen({ port, host: options.listenHost ?? '127.0.0.1' });
  return {
    backend: backend.name,
    built,
    db,
    config,
    url,
    admin: new Client(built, issued?.token),
    anonymous: new Client(built),
    async close() {
      await built.app.close();
      if (!options.db) await db.close();
    },
  };
}

/**
 * Declares a suite once per backend. `body` gets a getter for the running context,
 * started before the suite's tests and closed after them.
 */
export function suite(
  title: string,
  body: (ctx: () => TestContext & { url: string }) => void,
  env: Record<string, string> = {},
  options: StartOptions = {},
): void {
  for (const backend of testBackends()) {
    describe(`${title} [${backend.name}]`, () => {
      let ctx: Awaited<ReturnType<typeof startTestApp>>;
      before(async () => {
        ctx = await startTestApp(backend, env, options);
      });
      after(async () => {
        await ctx?.close();
      });
      body(() => ctx);
    });
  }
}

/**
 * The exact read metadata of a resource the bootstrap administrator just created; the
 * server-assigned `id` and `creationTime` are taken from `body`.
 */
export function createdMetadata(body: { metadata: { id: string; creationTime: string } }, fields: Record<string, unknown>) {
  return {
    id: body.metadata.id,
    creationTime: body.metadata.creationTime,
    createdBy: 'tessera:bootstrap',
    provisioningStatus: 'provisioned',
    healthStatus: 'healthy',
    ...fields,
  };
}
