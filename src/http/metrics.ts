/**
 * Prometheus metrics (`prom-client`), one registry per app: requests by route, method and
 * status with their latency, tokens issued by grant, failed authentications by reason, and
 * rate-limit refusals by face; plus Node's own (event loop, heap, GC). They are served only
 * when configured: on a port of their own (TESSERA_METRICS_PORT) or at /metrics with a token
 * (TESSERA_METRICS_TOKEN), never openly on the public port.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
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
