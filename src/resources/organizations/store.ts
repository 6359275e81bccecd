import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import type { MetadataRow } from '../common/metadata.ts';
import { metadataValues } from '../common/metadata.ts';
import { pageSql, type PageQuery } from '../common/pagination.ts';
import type { OrganizationWrite } from './schemas.ts';

export interface OrganizationRow extends MetadataRow {
  organization_type: 'adhoc' | 'domain';
  domain: string | null;
  provider_scope: 'global' | 'organization' | null;
  provider_id: string | null;
  google_customer_id: string | null;
  deletion_time: Date | null;
}

const columns = `o.id, o.name, o.description, o.tags, o.organization_type, o.domain, o.provider_scope,
  o.provider_id, o.google_customer_id, o.created_at, o.created_by, o.modified_at, o.modified_by, o.deletion_time`;

function specValues(body: OrganizationWrite) {
  const { spec } = body;
  return [spec.organizationType, spec.domain ?? null, spec.providerScope ?? null, spec.providerID ?? null, spec.googleCustomerID ?? null];
}

export async function insertOrganization(db: Queryable, body: OrganizationWrite, actor: string): Promise<OrganizationRow> {
  const result = await db.query<OrganizationRow>(
    `INSERT INTO organizations AS o (id, name, description, tags, organization_type, domain, provider_scope,
       provider_id, google_customer_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
    [randomUUID(), ...metadataValues(body.metadata), ...specValues(body), actor],
  );
  return result.rows[0];
}

export async function getOrganization(db: Queryable, id: string): Promise<OrganizationRow | undefined> {
  const result = await db.query<OrganizationRow>(`SELECT ${columns} FROM organizations o WHERE o.id = $1`, [id]);
  return result.rows[0];
}

/** Lists every organization, or those a global user account belongs to, or one by ID. */
export async function listOrganizations(
  db: Queryable,
  filter: { all: true } | { userId: string } | { organizationId: string } | { email: string },
  page: PageQuery,
): Promise<OrganizationRow[]> {
  const params: unknown[] = [];
  let where = 'true';
  if ('userId' in filter || 'email' in filter) {
    params.push('userId' in filter ? filter.userId : filter.email.toLowerCase());
    where = `EXISTS (SELECT 1 FROM organization_users ou JOIN users u ON u.id = ou.user_id
               WHERE ou.organization_id = o.id AND ou.state = 'active'
                 AND ${'userId' in filter ? 'u.id = $1' : 'lower(u.email) = $1'})`;
  } else if ('organizationId' in filter) {
    params.push(filter.organizationId);
    where = 'o.id = $1';
  }
  const result = await db.query<OrganizationRow>(`SELECT ${columns} FROM organizations o WHERE ${where}${pageSql('o', page, params)}`, params);
  return result.rows;
}

export async function updateOrganization(db: Queryable, id: string, body: OrganizationWrite, actor: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE organizations SET name = $2, description = $3, tags = $4, organization_type = $5, domain = $6,
       provider_scope = $7, provider_id = $8, google_customer_id = $9, modified_at = now(), modified_by = $10
     WHERE id = $1`,
    [id, ...metadataValues(body.metadata), ...specValues(body), actor],
  );
  return result.rowCount > 0;
}

/** Starts deletion; the deprovisioner removes the row (and, by cascade, everything in it). */
export async function markOrganizationDeleted(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE organizations SET deletion_time = COALESCE(deletion_time, now()) WHERE id = $1',
    [id],
  );
  return result.rowCount > 0;
}

/** The organization scope of a provider: null for a system provider, undefined if none. */
export async function providerOwner(db: Queryable, providerId: string): Promise<string | null | undefined> {
  const result = await db.query<{ organization_id: string | null }>('SELECT organization_id FROM oauth2_providers WHERE id = $1', [providerId]);
  return result.rows.length ? result.rows[0].organization_id : undefined;
}
