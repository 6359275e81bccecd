/**
 * One typed configuration object, read once at start from the environment and the
 * `tessera serve` flags (flags win). Every setting is documented in README.md; a bad value
 * stops the start with a message that names the setting.
 */
import { resolve } from 'node:path';
import {
  atLeast,
  ConfigError,
  cidrList,
  inRange,
  memorySize,
  metricsToken,
  nonEmpty,
  oneOf,
  optionalDuration,
  parseBoolean,
  parseDuration,
  perHour,
  redisUrl,
} from './config-values.ts';

export { ConfigError, parseDuration } from './config-values.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  issuer: string;
  /** Server secret for keyed hashes and encryption; generated into the data dir when absent. */
  secret?: string;
  platformAdmins: string[];
  bootstrapToken?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Lifetime of service-account tokens, in seconds. */
  serviceAccountTokenTtl: number;
  /** How often deleted organizations and projects are purged, in seconds (0: never by timer). */
  deprovisionInterval: number;
  /** Lifetimes, in seconds. */
  accessTokenTtl: number;
  refreshTokenTtl: number;
  signupTokenTtl: number;
  /** Age at which the signing key is replaced, in seconds. */
  signingKeyRotation: number;
  /** Whether a new user with no organization may create one at first login. */
  onboarding: boolean;
  /** Roles offered to (and given by default to) the group an onboarding user creates. */
  onboardingRoles: string[];
  /** `single`: a new login at a client ends the user's previous session there. */
  sessionsPerClient: 'single' | 'multiple';
  /** PostgreSQL only: pool size, and the connect and statement timeouts in seconds. */
  dbPoolSize: number;
  dbConnectTimeout: number;
  dbStatementTimeout: number;
  /** PostgreSQL: how long `tessera serve` waits for the server at start, in seconds (0: no retry). */
  dbStartupWait: number;
  /** The embedded database's shared_buffers ("32MB"): the main memory knob of PGlite. */
  embeddedSharedBuffers: string;
  /** The token policy of organizations that have not set their own. */
  apiTokenPolicy: { maxLifetimeSeconds: number | null; requireExpiry: boolean; maxTokens: number; rateLimitPerHour: number };
  /** Proxies (CIDRs) whose X-Forwarded-For gives the client address; empty: the socket's address. */
  trustedProxies: string[];
  /** Requests per hour of each credential (API tokens: unless their policy or the token says otherwise). */
  rateLimitPerHour: number;
  /** Failed authentications per client address and hour. */
  authFailuresPerHour: number;
  /** Where rate-limit counters live; without it, in the database (synced every `rateLimitSync` seconds). */
  redisUrl?: string;
  rateLimitSync: number;
  /** The longest lifetime a workload token's `ttl` claim may ask for, in seconds. */
  workloadTokenMaxTtl: number;
  /** Where Prometheus metrics are served: a port of their own, and/or /metrics with this bearer token. */
  metricsPort?: number;
  metricsToken?: string;
  /** How long audit events are kept, in seconds. */
  auditRetention: number;
  /** How long a shutdown waits for requests in flight before the process exits anyway, in seconds. */
  shutdownTimeout: number;
  /** Entries per in-process cache (0: no caching); entries older than cacheTtl seconds are read again. */
  cacheEntries: number;
  cacheTtl: number;
}

/** The environment variable behind each flag of `tessera serve`. */
export const flagToEnv = {
  port: 'PORT',
  host: 'HOST',
  'data-dir': 'TESSERA_DATA_DIR',
  'database-url': 'TESSERA_DATABASE_URL',
  issuer: 'TESSERA_ISSUER',
  'platform-admins': 'TESSERA_PLATFORM_ADMINS',
  'log-level': 'TESSERA_LOG_LEVEL',
} as const;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function loadConfig(env: NodeJS.ProcessEnv, flags: Partial<Record<keyof typeof flagToEnv, string>> = {}): Config {
  const read = (flag: keyof typeof flagToEnv) => flags[flag] ?? nonEmpty(env[flagToEnv[flag]]);

  const portText = read('port') ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `"${portText}" is not a TCP port (0-65535)`);
  }

  const databaseUrl = read('database-url');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('TESSERA_DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }

  const issuer = (read('issuer') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new ConfigError('TESSERA_ISSUER', `"${issuer}" is not an absolute URL`);
  }
  if (!['http:', 'https:'].includes(issuerUrl.protocol) || issuerUrl.search || issuerUrl.hash) {
    throw new ConfigError('TESSERA_ISSUER', 'must be an http(s) URL without query or fragment');
  }

  const secret = nonEmpty(env.TESSERA_SECRET);
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('TESSERA_SECRET', 'must be at least 32 characters (use 32 random bytes, e.g. `openssl rand -hex 32`)');
  }

  const platformAdmins = (read('platform-admins') ?? '')
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter(Boolean);
  for (const email of platformAdmins) {
    if (!emailPattern.test(email)) throw new ConfigError('TESSERA_PLATFORM_ADMINS', `"${email}" is not an email address`);
  }

  const bootstrapToken = nonEmpty(env.TESSERA_BOOTSTRAP_TOKEN);
  if (bootstrapToken !== undefined && (bootstrapToken.length < 32 || /\s/.test(bootstrapToken))) {
    throw new ConfigError('TESSERA_BOOTSTRAP_TOKEN', 'must be at least 32 characters without white space');
  }

  const logLevel = read('log-level') ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError('TESSERA_LOG_LEVEL', `must be one of ${logLevels.join(', ')}`);
  }

  const serviceAccountTokenTtl = atLeast('TESSERA_SERVICE_ACCOUNT_TOKEN_TTL', env.TESSERA_SERVICE_ACCOUNT_TOKEN_TTL ?? '90d', 60);

  return {
    port,
    host: read('host') ?? '0.0.0.0',
    dataDir: resolve(read('data-dir') ?? '.tessera'),
    databaseUrl,
    issuer,
    secret,
    platformAdmins,
    bootstrapToken,
    logLevel: logLevel as Config['logLevel'],
    serviceAccountTokenTtl,
    deprovisionInterval: parseDuration('TESSERA_DEPROVISION_INTERVAL', env.TESSERA_DEPROVISION_INTERVAL ?? '5s'),
    accessTokenTtl: atLeast('TESSERA_ACCESS_TOKEN_TTL', env.TESSERA_ACCESS_TOKEN_TTL ?? '1h', 60),
    refreshTokenTtl: atLeast('TESSERA_REFRESH_TOKEN_TTL', env.TESSERA_REFRESH_TOKEN_TTL ?? '30d', 60),
    signupTokenTtl: atLeast('TESSERA_SIGNUP_TOKEN_TTL', env.TESSERA_SIGNUP_TOKEN_TTL ?? '24h', 60),
    signingKeyRotation: atLeast('TESSERA_SIGNING_KEY_ROTATION', env.TESSERA_SIGNING_KEY_ROTATION ?? '30d', 60),
    onboarding: parseBoolean('TESSERA_ONBOARDING', env.TESSERA_ONBOARDING ?? 'false'),
    onboardingRoles: (env.TESSERA_ONBOARDING_ROLES ?? 'administrator')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    sessionsPerClient: oneOf('TESSERA_SESSIONS_PER_CLIENT', env.TESSERA_SESSIONS_PER_CLIENT ?? 'single', ['single', 'multiple'] as const),
    dbPoolSize: inRange('TESSERA_DB_POOL_SIZE', env.TESSERA_DB_POOL_SIZE ?? '10', 1, 1000),
    dbConnectTimeout: atLeast('TESSERA_DB_CONNECT_TIMEOUT', env.TESSERA_DB_CONNECT_TIMEOUT ?? '5s', 1),
    dbStatementTimeout: atLeast('TESSERA_DB_STATEMENT_TIMEOUT', env.TESSERA_DB_STATEMENT_TIMEOUT ?? '15s', 1),
    dbStartupWait: parseDuration('TESSERA_DB_STARTUP_WAIT', env.TESSERA_DB_STARTUP_WAIT ?? '60s'),
    embeddedSharedBuffers: memorySize('TESSERA_EMBEDDED_SHARED_BUFFERS', env.TESSERA_EMBEDDED_SHARED_BUFFERS ?? '32MB'),
    apiTokenPolicy: {
      maxLifetimeSeconds: optionalDuration('TESSERA_APITOKEN_MAX_LIFETIME', env.TESSERA_APITOKEN_MAX_LIFETIME ?? '0'),
      requireExpiry: parseBoolean('TESSERA_APITOKEN_REQUIRE_EXPIRY', env.TESSERA_APITOKEN_REQUIRE_EXPIRY ?? 'false'),
      maxTokens: inRange('TESSERA_APITOKEN_MAX_TOKENS', env.TESSERA_APITOKEN_MAX_TOKENS ?? '100', 1, 100000),
      rateLimitPerHour: perHour('TESSERA_RATE_LIMIT', env.TESSERA_RATE_LIMIT ?? '5000/h'),
    },
    rateLimitPerHour: perHour('TESSERA_RATE_LIMIT', env.TESSERA_RATE_LIMIT ?? '5000/h'),
    authFailuresPerHour: perHour('TESSERA_AUTH_FAILURE_LIMIT', env.TESSERA_AUTH_FAILURE_LIMIT ?? '300/h'),
    redisUrl: redisUrl(nonEmpty(env.TESSERA_REDIS_URL)),
    rateLimitSync: atLeast('TESSERA_RATE_LIMIT_SYNC', env.TESSERA_RATE_LIMIT_SYNC ?? '1s', 1),
    trustedProxies: cidrList('TESSERA_TRUSTED_PROXIES', env.TESSERA_TRUSTED_PROXIES ?? ''),
    workloadTokenMaxTtl: atLeast('TESSERA_WORKLOAD_TOKEN_MAX_TTL', env.TESSERA_WORKLOAD_TOKEN_MAX_TTL ?? '24h', 60),
    metricsPort: env.TESSERA_METRICS_PORT ? inRange('TESSERA_METRICS_PORT', env.TESSERA_METRICS_PORT, 1, 65535) : undefined,
    metricsToken: metricsToken(nonEmpty(env.TESSERA_METRICS_TOKEN)),
    auditRetention: atLeast('TESSERA_AUDIT_RETENTION', env.TESSERA_AUDIT_RETENTION ?? '365d', 86400),
    shutdownTimeout: atLeast('TESSERA_SHUTDOWN_TIMEOUT', env.TESSERA_SHUTDOWN_TIMEOUT ?? '10s', 1),
    cacheEntries: inRange('TESSERA_CACHE_ENTRIES', env.TESSERA_CACHE_ENTRIES ?? '10000', 0, 1_000_000),
    cacheTtl: atLeast('TESSERA_CACHE_TTL', env.TESSERA_CACHE_TTL ?? '5m', 1),
  };
}
