/**
 * Finishes the deletes that the API accepted with 202. Organizations and projects are
 * marked (deletion_time) by the request and removed here; foreign-key cascades remove
 * everything inside them in the same statement. Safe to run on every instance at once:
 * a second DELETE of the same rows finds nothing.
 */
import type { Queryable } from './db/db.ts';

export async function purgeDeleted(db: Queryable): Promise<{ projects: number; organizations: number }> {
  const projects = await db.query('DELETE FROM projects WHERE deletion_time IS NOT NULL');
  const organizations = await db.query('DELETE FROM organizations WHERE deletion_time IS NOT NULL');
  return { projects: projects.rowCount, organizations: organizations.rowCount };
}

/**
 * Housekeeping of the login flow: rows that can no longer be used are removed (expired login
 * requests, codes, refresh tokens, signup links; ended sessions). Nothing here is needed
 * for correctness: every lookup already ignores expired rows.
 */
export async function purgeExpired(db: Queryable): Promise<number> {
  let removed = 0;
  for (const sql of [
    `DELETE FROM login_requests WHERE expires_at < now() - interval '1 hour'`,
    `DELETE FROM authorization_codes WHERE expires_at < now() - interval '1 hour'`,
    `DELETE FROM refresh_tokens WHERE expires_at < now()`,
    `DELETE FROM signup_tokens WHERE expires_at < now()`,
    `DELETE FROM browser_sessions WHERE expires_at < now() OR revoked_at < now() - interval '1 day'`,
    `DELETE FROM sessions WHERE expires_at < now() OR revoked_at < now() - interval '1 day'`,
  ]) {
    removed += (await db.query(sql)).rowCount;
  }
  return removed;
}

export function startDeprovisioner(
  db: Queryable,
  intervalSeconds: number,
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void },
): () => void {
  if (intervalSeconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    Promise.all([purgeDeleted(db), purgeExpired(db)])
      .then(([purged]) => {
        if (purged.projects || purged.organizations) log.info(purged, 'deprovisioned deleted resources');
      })
      .catch((error) => log.error({ err: error }, 'deprovisioning failed'));
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
