/** Wires configuration, storage and the HTTP app into a running server. */
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { type Counters, DatabaseCounters, RedisCounters } from './core/ratelimits/counters.ts';
import { openDatabase } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import { startDeprovisioner } from './deprovisioner.ts';
import { credentialRateLimiter, type RateLimiter, unlimited } from './http/rate-limit.ts';
import { deriveKeys, loadServerSecret } from './tokens/server-secret.ts';

export async function startServer(config: Config) {
  const keys = deriveKeys(loadServerSecret(config.secret, config.dataDir));
  const db = await openDatabase(config);
  // The limiter's counters log through the app's logger, so they are made once the app is;
  // no request arrives before `listen`.
  let limiter: RateLimiter = unlimited;
  const { app, core, drain } = await buildApp({ config, db, keys, limiter: { check: (query) => limiter.check(query) } });
  let counters: Counters | undefined;
  try {
    counters = config.redisUrl
      ? await RedisCounters.connect(config.redisUrl, app.log, config.issuer)
      : new DatabaseCounters(db, app.log, config.rateLimitSync * 1000);
    limiter = credentialRateLimiter(counters, { perHour: config.rateLimitPerHour, failuresPerHour: config.authFailuresPerHour });
    const applied = await migrate(db);
    if (applied.length) app.log.info({ applied }, 'database migrated');
    await bootstrap(core.credentials, config, app.log);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await counters?.close();
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
      await counters?.close();
      await db.close();
    },
  };
}
