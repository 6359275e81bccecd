/**
 * Which upstream provider a login goes to: a "sign in with" button (a system provider, by
 * ID or by type), or the provider of the organization that owns the email's domain.
 */
import type { Queryable } from '../db/db.ts';
import { isUuid } from '../resources/common/ids.ts';

const providerLabels = { google: 'Google', microsoft: 'Microsoft', github: 'GitHub' } as const;

export interface SystemProvider {
  id: string;
  type: string | null;
  label: string;
}

/** The login page's buttons. */
export async function systemProviders(db: Queryable): Promise<SystemProvider[]> {
  const rows = await db.query<{ id: string; name: string; description: string | null; type: keyof typeof providerLabels | null }>(
    'SELECT id, name, description, type FROM oauth2_providers WHERE organization_id IS NULL ORDER BY lower(name)',
  );
  return rows.rows.map((r) => ({ id: r.id, type: r.type, label: r.description || (r.type ? providerLabels[r.type] : r.name) }));
}

/** The chosen provider's ID, or an error for the login page. */
export async function chooseProvider(
  db: Queryable,
  form: Record<string, string | undefined>,
  providers: SystemProvider[],
): Promise<string | { error: string }> {
  if (form.provider) {
    const match = providers.find((p) => (isUuid(form.provider!) ? p.id === form.provider : p.type === form.provider));
    return match ? match.id : { error: 'That sign-in option is not available.' };
  }
  const domain = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/.exec(form.email ?? '')?.[1];
  if (!domain) return { error: 'Enter your email address, or choose a sign-in option.' };
  return (await organizationProvider(db, domain)) ?? { error: `No organization signs in with ${domain} addresses here. Choose a sign-in option above.` };
}

/** The login provider of the organization that owns an email domain (never another organization's). */
async function organizationProvider(db: Queryable, domain: string): Promise<string | undefined> {
  const result = await db.query<{ provider_id: string }>(
    `SELECT p.id AS provider_id FROM organizations o JOIN oauth2_providers p ON p.id = o.provider_id
      WHERE lower(o.domain) = lower($1) AND o.organization_type = 'domain' AND o.deletion_time IS NULL
        AND ((o.provider_scope = 'global' AND p.organization_id IS NULL)
          OR (o.provider_scope = 'organization' AND p.organization_id = o.id))`,
    [domain],
  );
  return result.rows[0]?.provider_id;
}
