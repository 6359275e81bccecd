/** Wires configuration, storage and the HTTP app into a running server. */
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { DatabaseCounters, RedisCounters } from './core/ratelimits/counters.ts';
import { openDatabase } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import { startDeprovisioner } from './deprovisioner.ts';
import { credentialRateLimiter } from './http/rate-limit.ts';
import { deriveKeys, loadServerSecret } from './tokens/server-secret.ts';

export async function startServer(config: Config) {
  const keys = deriveKeys(loadServerSecret(config.secret, config.dataDir));
  const db = await openDatabase(config);
  const log = { warn: (obj: object, msg: string) => process.stderr.write(`${JSON.stringify({ level: 40, ...obj, msg })}\n`) };
  const counters = config.redisUrl ? await RedisCounters.connect(config.redisUrl, log) : new DatabaseCounters(db, log, config.rateLimitSync * 1000);
  const limiter = credentialRateLimiter(counters, { perHour: config.rateLimitPerHour, failuresPerHour: config.authFailuresPerHour });
  const { app, core, drain } = await buildApp({ config, db, keys, limiter });
  try {
    const applied = await migrate(db);
    if (applied.length) app.log.info({ applied }, 'database migrated');
    await bootstrap(core.credentials, config, app.log);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await db.close();
    throw error;
  }
  const stopDeprovisioner = startDeprovisioner(core, config.deprovisionInterval, app.log);
  return {
    app,
    /**
     * Graceful stop: new requests are refused with 503 and every response says
     * `Connection: close`; idle kept-alive connections are closed at once (Fastify's
     * forceCloseConnections: 'idle'); requests in flight finish, for at most
     * TESSERA_SHUTDOWN_TIMEOUT, after which the caller exits anyway.
     */
    async close() {
      drain();
      stopDeprovisioner();
      await app.close();
      await counters.close();
      await db.close();
    },
  };
}
