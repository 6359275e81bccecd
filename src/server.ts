/** Wires configuration, storage and the HTTP app into a running server. */
import { createServer, type Server } from 'node:http';
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { type Config, ConfigError } from './config.ts';
import { type Counters, DatabaseCounters, RedisCounters } from './core/ratelimits/counters.ts';
import { openDatabase } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import { startDeprovisioner } from './deprovisioner.ts';
import type { Metrics } from './http/metrics.ts';
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
  let metricsServer: Server | undefined;
  try {
    counters = config.redisUrl
      ? await RedisCounters.connect(config.redisUrl, app.log, config.issuer)
      : new DatabaseCounters(db, app.log, config.rateLimitSync * 1000);
    limiter = credentialRateLimiter(counters, { perHour: config.rateLimitPerHour, failuresPerHour: config.authFailuresPerHour });
    const applied = await migrate(db);
    if (applied.length) app.log.info({ applied }, 'database migrated');
    await bootstrap(core.credentials, config, app.log);
    // The metrics port first: the API takes no request unless every port could be bound.
    if (config.metricsPort) metricsServer = await serveMetrics(app.metrics, config.metricsPort, config.host);
    await app.listen({ port: config.port, host: config.host }).catch((error) => {
      throw unboundPort(error, 'PORT', config.host, config.port);
    });
  } catch (error) {
    metricsServer?.close();
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
      metricsServer?.close();
      await app.close();
      await counters?.close();
      await db.close();
    },
  };
}

/** Prometheus metrics on a port of their own (TESSERA_METRICS_PORT), for a scraper inside the network. */
async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return void res.writeHead(404).end();
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(unboundPort(error, 'TESSERA_METRICS_PORT', host, port)));
    server.listen(port, host, resolve);
  });
  return server;
}

/** A port that cannot be bound is a configuration error of its setting, said in words. */
function unboundPort(error: unknown, setting: string, host: string, port: number): unknown {
  const reasons: Record<string, string> = {
    EADDRINUSE: 'the address is in use',
    EACCES: 'permission denied',
    EADDRNOTAVAIL: 'the address is not one of this machine',
  };
  const reason = reasons[(error as { code?: string }).code ?? ''];
  return reason ? new ConfigError(setting, `cannot listen on ${host}:${port}: ${reason}`) : error;
}
