/**
 * Readers of setting values: each checks one kind of value and, when it is wrong, throws a
 * ConfigError that names the setting and what it expects.
 */
import { ipOrCidrFamily } from './kernel/ip.ts';

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

/** Parses "90d", "12h", "30m", "45s" or a bare number of seconds. */
export function parseDuration(setting: string, text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new ConfigError(setting, `"${text}" is not a duration like 90d, 12h, 30m or 45s`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export function atLeast(setting: string, text: string, minimum: number): number {
  const seconds = parseDuration(setting, text);
  if (seconds < minimum) throw new ConfigError(setting, `must be at least ${minimum}s`);
  return seconds;
}

/** A PostgreSQL memory setting: 128kB to 1GB (the WASM heap of the embedded database is 2GB at most). */
export function memorySize(setting: string, text: string): string {
  const match = /^(\d+)(kB|MB|GB)$/.exec(text.trim());
  const kb = match ? Number(match[1]) * { kB: 1, MB: 1024, GB: 1024 * 1024 }[match[2] as 'kB' | 'MB' | 'GB'] : 0;
  if (kb < 128 || kb > 1024 * 1024) throw new ConfigError(setting, `"${text}" is not a size from 128kB to 1GB, like 32MB`);
  return text.trim();
}

/** A duration, or "0" for none. */
export function optionalDuration(setting: string, text: string): number | null {
  const seconds = parseDuration(setting, text);
  return seconds === 0 ? null : seconds;
}

export function cidrList(setting: string, text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!ipOrCidrFamily(entry)) throw new ConfigError(setting, `"${entry}" is not an IP address or CIDR range`);
  }
  return entries;
}

/** "5000/h" or "5000": requests per hour. */
export function perHour(setting: string, text: string): number {
  const match = /^(\d{1,9})(?:\/h)?$/.exec(text.trim());
  if (!match || Number(match[1]) < 1) throw new ConfigError(setting, `"${text}" is not a number of requests per hour, like 5000/h`);
  return Number(match[1]);
}

export function redisUrl(url: string | undefined): string | undefined {
  if (url !== undefined && !/^rediss?:\/\//.test(url)) throw new ConfigError('TESSERA_REDIS_URL', 'must be a redis:// or rediss:// URL');
  return url;
}

export function inRange(setting: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new ConfigError(setting, `"${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

export function parseBoolean(setting: string, text: string): boolean {
  if (/^(true|1|yes|on)$/i.test(text.trim())) return true;
  if (/^(false|0|no|off)$/i.test(text.trim())) return false;
  throw new ConfigError(setting, `"${text}" is not true or false`);
}

export function oneOf<const T extends readonly string[]>(setting: string, text: string, values: T): T[number] {
  if (!(values as readonly string[]).includes(text)) throw new ConfigError(setting, `must be one of ${values.join(', ')}`);
  return text as T[number];
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A bearer token for /metrics: long enough not to be guessed. */
export function metricsToken(token: string | undefined): string | undefined {
  if (token !== undefined && token.length < 32) throw new ConfigError('TESSERA_METRICS_TOKEN', 'must be at least 32 characters');
  return token;
}
