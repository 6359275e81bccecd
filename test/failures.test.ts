/**
 * Issue 7, failure handling, against the real PostgreSQL behind a fault-injecting TCP proxy:
 * the server survives a connection dropped inside a transaction, answers 503 while the
 * database is unreachable or hung, logs one line per failed request and one warning per
 * change, and recovers without a restart. (PGlite runs in-process: there is no connection
 * to lose, so these run only when TESSERA_TEST_DATABASE_URL is set, as in CI.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { openPglite } from '../src/db/pglite.ts';
import type { DomainEvent } from '../src/kernel/events.ts';
import { createOrganization } from './fixtures.ts';
import { type Backend, startTestApp, uniqueName } from './helpers.ts';
import { freshPostgres } from './support/databases.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const url = process.env.TESSERA_TEST_DATABASE_URL;

describe('failure handling [postgres]', { skip: !url && 'needs PostgreSQL (TESSERA_TEST_DATABASE_URL)' }, () => {
  let proxy: TcpProxy;
  let ctx: Awaited<ReturnType<typeof startTestApp>>;
  let logs: string[] = [];
  /** While set, recording a `group.created` event waits for it: a transaction held open. */
  let gate: { reached: () => void; open: Promise<void> } | undefined;

  before(async () => {
    const target = new URL(url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const db = await freshPostgres(url!, { migrated: true, through: proxy.address, driver: { connectTimeoutMs: 1000, statementTimeoutMs: 1000 } });
    const backend: Backend = { name: 'postgres', open: async () => db, openMigrated: async () => db };
    ctx = await startTestApp(
      backend,
      {},
      {
        db,
        app: {
          logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
          events: {
            record: async (event: DomainEvent) => {
              if (event.type !== 'group.created' || !gate) return;
              gate.reached();
              await gate.open;
            },
          },
        },
      },
    );
  });
  after(async () => {
    await ctx?.close();
    await ctx?.db.close();
    await proxy?.close();
  });

  const groupBody = (name: string) => ({ metadata: { name }, spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] } });
  const timed = async <T>(work: () => Promise<T>) => {
    const start = Date.now();
    const result = await work();
    return { result, seconds: (Date.now() - start) / 1000 };
  };
  const unavailable = (res: { status: number; body: any; headers: Record<string, unknown> }) => {
    assert.deepEqual(
      [res.status, res.body],
      [503, { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; retry later' }],
    );
    assert.equal(res.headers['retry-after'], '5');
  };

  it('survives the connection dropping inside a transaction: 503, nothing written, then recovers', async () => {
    const org = await createOrganization(ctx.admin);
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    let open!: () => void;
    gate = { reached, open: new Promise<void>((resolve) => (open = resolve)) };
    const name = uniqueName('g');
    const pending = ctx.admin.post(`/api/v1/organizations/${org}/groups`, groupBody(name));
    await atGate; // the transaction has written the group and waits
    proxy.dropAll(); // the server goes away under the open transaction
    await new Promise((resolve) => setTimeout(resolve, 50)); // its socket's error event fires now
    open();
    gate = undefined;
    unavailable(await pending);
    const groups = await ctx.admin.get(`/api/v1/organizations/${org}/groups`);
    assert.equal(groups.status, 200, 'a new connection serves the next request');
    assert.deepEqual(groups.body, [], 'the transaction was rolled back');
  });

  it('answers 503 while the database refuses connections, logs one line per request and one warning each way, and recovers', async () => {
    const org = await createOrganization(ctx.admin);
    logs = [];
    proxy.mode('refuse');
    proxy.dropAll();
    for (let i = 0; i < 3; i++) {
      const { result, seconds } = await timed(() => ctx.admin.get(`/api/v1/organizations/${org}/groups`));
      unavailable(result);
      assert.ok(seconds < 3, `failed fast (${seconds}s)`);
    }
    proxy.mode('forward');
    assert.equal((await ctx.admin.get(`/api/v1/organizations/${org}/groups`)).status, 200);
    const entries = logs.map((line) => JSON.parse(line));
    assert.equal(entries.filter((e) => e.msg.startsWith('the database does not answer')).length, 1);
    assert.equal(entries.filter((e) => e.msg === 'the database answers again').length, 1);
    const failed = entries.filter((e) => e.status === 503);
    assert.equal(failed.length, 3, 'one line per failed request');
    for (const e of failed) {
      assert.deepEqual([e.level, e.failure.code, typeof e.failure.reason, e.req.method, typeof e.reqId], [40, 'unavailable', 'string', 'GET', 'string']);
    }
    assert.equal(new Set(failed.map((e) => e.reqId)).size, 3, 'each line names its request');
    assert.ok(!logs.some((line) => line.includes('"stack"')), 'no stack traces for an outage');
  });

  it('fails fast with 503 when the database hangs (statement and connect timeouts)', async () => {
    const org = await createOrganization(ctx.admin);
    proxy.mode('hang'); // pooled connections stop answering, new ones never complete
    for (let i = 0; i < 2; i++) {
      const { result, seconds } = await timed(() => ctx.admin.get(`/api/v1/organizations/${org}/groups`));
      unavailable(result);
      assert.ok(seconds < 4, `gave up within the timeouts (${seconds}s)`);
    }
    proxy.dropAll();
    proxy.mode('forward');
    assert.equal((await ctx.admin.get(`/api/v1/organizations/${org}/groups`)).status, 200);
  });
});

describe('failure-handling settings', () => {
  it('reads the database timeouts, pool size, shutdown deadline and embedded buffer size, and refuses bad ones by name', () => {
    const config = loadConfig({
      TESSERA_DB_POOL_SIZE: '4',
      TESSERA_DB_CONNECT_TIMEOUT: '2s',
      TESSERA_DB_STATEMENT_TIMEOUT: '1m',
      TESSERA_SHUTDOWN_TIMEOUT: '3s',
      TESSERA_EMBEDDED_SHARED_BUFFERS: '16MB',
    });
    assert.deepEqual(
      [config.dbPoolSize, config.dbConnectTimeout, config.dbStatementTimeout, config.shutdownTimeout, config.embeddedSharedBuffers],
      [4, 2, 60, 3, '16MB'],
    );
    assert.throws(() => loadConfig({ TESSERA_DB_POOL_SIZE: '0' }), /TESSERA_DB_POOL_SIZE: "0" is not a whole number from 1 to 1000/);
    assert.throws(() => loadConfig({ TESSERA_DB_STATEMENT_TIMEOUT: 'soon' }), /TESSERA_DB_STATEMENT_TIMEOUT: "soon" is not a duration/);
    assert.throws(() => loadConfig({ TESSERA_EMBEDDED_SHARED_BUFFERS: '2GB' }), /TESSERA_EMBEDDED_SHARED_BUFFERS: "2GB" is not a size from 128kB to 1GB/);
  });

  it('starts the embedded database with the configured shared_buffers', async () => {
    const db = await openPglite({ sharedBuffers: '16MB' });
    try {
      assert.deepEqual((await db.query('SHOW shared_buffers')).rows, [{ shared_buffers: '16MB' }]);
    } finally {
      await db.close();
    }
  });
});
