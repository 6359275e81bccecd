/** Wires configuration, storage and the HTTP app into a running server. */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, isIPv6 } from 'node:net';
import { pino } from 'pino';
import { buildApp, loggerOptions } from './app.ts';
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
  const log = pino(loggerOptions(config));
  const keys = deriveKeys(loadServerSecret(config.secret, config.dataDir));
  const db = await openDatabase(
    {
      ...config,
      startup: {
        waitMs: config.dbStartupWait * 1000,
        onRetry: ({ attempt, reason, delayMs, target }) =>
          log.warn({ attempt, target, retryInMs: delayMs, giveUpAfterSeconds: config.dbStartupWait }, `the database does not answer yet (${reason}); retrying`),
      },
    },
    'tessera serve',
  );
  // The limiter's counters log through the app's logger, so they are made once the app is;
  // no request arrives before `listen`.
  let limiter: RateLimiter = unlimited;
  const { app, core, drain, inFlight } = await buildApp({ config, db, keys, loggerInstance: log, limiter: { check: (query) => limiter.check(query) } });
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
    const url = localUrl(config.host, (app.server.address() as AddressInfo).port);
    db.dataDirLock?.describe({ url });
    app.log.info({ metrics: metricsWhere(config, metricsServer) }, 'where metrics are served');
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
    /** Requests received and not yet answered. */
    inFlight,
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

/** Where this server can be reached from its own machine (what `tessera keys rotate` calls). */
function localUrl(host: string, port: number): string {
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${isIPv6(local) ? `[${local}]` : local}:${port}`;
}

/** Where Prometheus metrics are served, for the start-up log. */
function metricsWhere(config: Config, metricsServer: Server | undefined): string {
  const where: string[] = [];
  if (metricsServer) where.push(`${localUrl(config.host, (metricsServer.address() as AddressInfo).port)}/metrics`);
  if (config.metricsToken) where.push(`/metrics on the API port, to Authorization: Bearer <TESSERA_METRICS_TOKEN>`);
  return where.length ? where.join('; ') : 'not served (set TESSERA_METRICS_PORT, or TESSERA_METRICS_TOKEN for the API port)';
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

export type ServerHandle = Awaited<ReturnType<typeof startServer>>;
