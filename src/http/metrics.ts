/**
 * Prometheus metrics (`prom-client`), one registry per app: requests by route, method and
 * status with their latency, tokens issued by grant, failed authentications by reason,
 * rate-limit refusals by face, the in-process caches (lookups by result, hit ratio, entries,
 * whether the change feed is up) and the database pool (connections, idle, waiting); plus
 * Node's own (event loop, heap, GC). Cache and pool figures are read when scraped. They are served only
 * when configured: on a port of their own (TESSERA_METRICS_PORT) or at /metrics with a token
 * (TESSERA_METRICS_TOKEN), never openly on the public port.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheStats } from '../kernel/cache.ts';

/** What the metrics read at each scrape. */
export interface MetricSources {
  caches(): Record<string, CacheStats>;
  changeFeedUp(): boolean;
  /** Database connections: in the pool, idle, and requests waiting for one. */
  pool(): { total: number; idle: number; waiting: number };
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status, and how long they took.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'tessera_tokens_issued_total',
    help: 'Tokens issued at the token endpoint, by grant type.',
    labelNames: ['grant'] as const,
    registers: [this.registry],
  });
  private readonly authFailures = new Counter({
    name: 'tessera_authentication_failures_total',
    help: 'Refused credentials, by reason (missing, malformed, invalid).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'tessera_rate_limit_refusals_total',
    help: 'Requests refused by a rate limit, by face.',
    labelNames: ['face'] as const,
    registers: [this.registry],
  });

  constructor(sources?: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
    if (sources) this.observe(sources);
  }

  private observe(sources: MetricSources): void {
    const registers = [this.registry];
    // Counters only go up: each scrape adds what the caches counted since the last one.
    const seen = new Map<string, number>();
    new Counter({
      name: 'tessera_cache_lookups_total',
      help: 'Cache lookups, by cache and result (hit, miss, or bypass while the change feed is down).',
      labelNames: ['cache', 'result'] as const,
      registers,
      collect() {
        for (const [cache, stats] of Object.entries(sources.caches())) {
          for (const [result, total] of [
            ['hit', stats.hits],
            ['miss', stats.misses],
            ['bypass', stats.bypassed],
          ] as const) {
            const key = `${cache}/${result}`;
            this.inc({ cache, result }, total - (seen.get(key) ?? 0));
            seen.set(key, total);
          }
        }
      },
    });
    new Gauge({
      name: 'tessera_cache_hit_ratio',
      help: 'Hits over hits and misses since start, by cache.',
      labelNames: ['cache'] as const,
      registers,
      collect() {
        for (const [cache, { hits, misses }] of Object.entries(sources.caches())) this.set({ cache }, hits + misses ? hits / (hits + misses) : 0);
      },
    });
    new Gauge({
      name: 'tessera_cache_entries',
      help: 'Entries held, by cache.',
      labelNames: ['cache'] as const,
      registers,
      collect() {
        for (const [cache, { size }] of Object.entries(sources.caches())) this.set({ cache }, size);
      },
    });
    new Gauge({
      name: 'tessera_change_feed_up',
      help: '1 while the change feed (PostgreSQL LISTEN) is up and the caches are in use; 0 while they are bypassed.',
      registers,
      collect() {
        this.set(sources.changeFeedUp() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tessera_db_pool_connections',
      help: 'Database connections, by state (total, idle, and requests waiting for one).',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const pool = sources.pool();
        this.set({ state: 'total' }, pool.total);
        this.set({ state: 'idle' }, pool.idle);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe({ route, method, status: String(status) }, seconds);
  }

  tokenIssued(grant: string): void {
    this.tokens.inc({ grant });
  }

  authenticationFailed(reason: string): void {
    this.authFailures.inc({ reason });
  }

  rateLimited(face: string): void {
    this.refusals.inc({ face });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}
