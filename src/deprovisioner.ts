/**
 * Background work of every instance: finishing the deletes that the API accepted with 202
 * (organizations and projects are marked by the request and removed here; foreign-key
 * cascades remove everything inside them), and housekeeping of login state and of the audit
 * trail's retention. Safe to run on
 * every instance at once: a second DELETE of the same rows finds nothing.
 */
import type { Core } from './core/index.ts';
import type { Logger } from './kernel/log.ts';

export async function purgeDeleted(core: Core): Promise<{ projects: number; organizations: number }> {
  const projects = await core.projects.purgeDeleted();
  const organizations = await core.organizations.purgeDeleted();
  return { projects, organizations };
}

/**
 * Rows that can no longer be used are removed (expired login requests, codes, refresh
 * tokens, signup links; ended sessions). Nothing here is needed for correctness: every
 * lookup already ignores expired rows.
 */
export async function purgeExpired(core: Core): Promise<number> {
  return (
    (await core.logins.purgeExpired()) +
    (await core.sessions.purgeExpired()) +
    (await core.users.purgeExpiredSignupLinks()) +
    // Audit events older than TESSERA_AUDIT_RETENTION.
    (await core.audit.purge(core.config.auditRetention))
  );
}

export function startDeprovisioner(core: Core, intervalSeconds: number, log: Logger): () => void {
  if (intervalSeconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    Promise.all([purgeDeleted(core), purgeExpired(core)])
      .then(([purged]) => {
        if (purged.projects || purged.organizations) log.info(purged, 'deprovisioned deleted resources');
      })
      .catch((error) => log.error({ err: error }, 'deprovisioning failed'));
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
