/**
 * Keeps the caches right: what this instance commits invalidates its caches before it
 * answers, and what any instance commits reaches every other through PostgreSQL
 * LISTEN/NOTIFY (triggers of migrations 0006 and 0007 name the changed rows). While the
 * subscription is down the caches are bypassed, so a revocation or role change takes effect
 * everywhere as fast as the notification travels, and never later than the loss is noticed
 * (< 1 s).
 */
import type { Db } from '../db/db.ts';
import type { Caches } from '../kernel/cache.ts';
import type { Logger } from '../kernel/log.ts';

export const changeChannel = 'tessera_changes';

/** The tables whose triggers note changes (migrations 0006 and 0007; a test keeps them the same). */
export const notingTables = [
  'api_token_grants',
  'api_token_policies',
  'api_tokens',
  'credentials',
  'group_roles',
  'group_service_accounts',
  'group_users',
  'oauth_clients',
  'oidc_claims',
  'organization_users',
  'organizations',
  'project_groups',
  'projects',
  'roles',
  'service_accounts',
  'sessions',
  'signing_keys',
  'users',
] as const;

/** Starts following the change feed; resolves to the way to stop. */
export async function followChanges(db: Db, caches: Caches, log: Pick<Logger, 'warn'>): Promise<() => Promise<void>> {
  const stopCommits = db.watchCommits((changes) => caches.invalidate(changes));
  let lost = false;
  const stopListening = await db.listen(
    changeChannel,
    (change) => caches.invalidate([change]),
    (up) => {
      caches.setLive(up);
      if (!up) log.warn({}, 'the change feed is lost: caches are bypassed until it is back');
      else if (lost) log.warn({}, 'the change feed is back: caches are in use again');
      lost = !up;
    },
  );
  return async () => {
    stopCommits();
    caches.setLive(false);
    await stopListening();
  };
}
