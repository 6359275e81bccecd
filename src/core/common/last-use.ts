/** Recording when a credential was last used, shared by every kind of credential. */
import type { Cache } from '../../kernel/cache.ts';

/** Last use is written at most this often per credential, so that authenticating stays a read. */
const lastUseInterval = 60_000;

/**
 * Whether a credential's last use is due to be written; when it is, the cached copy is marked
 * as used now, so that this instance writes it once per interval, not at every request.
 */
export function lastUseDue<T extends { last_used_at: Date | null }>(cache: Cache<T>, key: string, row: T, now: number): boolean {
  if (row.last_used_at && row.last_used_at.getTime() >= now - lastUseInterval) return false;
  cache.update(key, (cached) => ({ ...cached, last_used_at: new Date(now) }));
  return true;
}
