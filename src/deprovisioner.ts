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

export function startDeprovisioner(
  db: Queryable,
  intervalSeconds: number,
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void },
): () => void {
  if (intervalSeconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    purgeDeleted(db)
      .then((purged) => {
        if (purged.projects || purged.organizations) log.info(purged, 'deprovisioned deleted resources');
      })
      .catch((error) => log.error({ err: error }, 'deprovisioning failed'));
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
