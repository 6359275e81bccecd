/** SQL of organizations (table organizations). */
import { randomUUID } from 'node:crypto';
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { OrganizationInput, OrganizationRecord } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  organizations_name_key: 'an organization with this name already exists',
  organizations_domain_key: 'another organization already uses this domain',
  organizations_provider_fkey: 'the provider is used by an organization for login',
};

const columns = `o.id, o.name, o.description, o.tags, o.organization_type, o.domain, o.provider_scope,
  o.provider_id, o.google_customer_id, o.created_at, o.created_by, o.modified_at, o.modified_by, o.deletion_time`;

function specValues(input: OrganizationInput) {
  return [input.organizationType, input.domain ?? null, input.providerScope ?? null, input.providerId ?? null, input.googleCustomerId ?? null];
}

export async function insertOrganization(db: Queryable, input: OrganizationInput, actor: string): Promise<OrganizationRecord> {
  const result = await db.query<OrganizationRecord>(
    `INSERT INTO organizations AS o (id, name, description, tags, organization_type, domain, provider_scope,
       provider_id, google_customer_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
    [randomUUID(), ...metadataValues(input.metadata), ...specValues(input), actor],
    { notes: true },
  );
  return result.rows[0]!;
}

export async function getOrganization(db: Queryable, id: string): Promise<OrganizationRecord | undefined> {
  const result = await db.query<OrganizationRecord>(`SELECT ${columns} FROM organizations o WHERE o.id = $1`, [id]);
  return result.rows[0];
}

export async function organizationIdByName(db: Queryable, name: string): Promise<string | undefined> {
  const result = await db.query<{ id: string }>('SELECT id FROM organizations WHERE lower(name) = lower($1)', [name]);
  return result.rows[0]?.id;
}

/** Whether the organization exists, and whether it is being deleted. */
export async function organizationState(db: Queryable, id: string): Promise<{ deleting: boolean } | undefined> {
  const result = await db.query<{ deleting: boolean }>('SELECT deletion_time IS NOT NULL AS deleting FROM organizations WHERE id = $1', [id], {
    prepare: true,
  });
  return result.rows[0];
}

export type OrganizationFilter = { all: true } | { userId: string } | { organizationId: string } | { email: string };

/** Lists every organization, or those a global user account belongs to, or one by ID. */
export async function listOrganizations(db: Queryable, filter: OrganizationFilter, page: PageQuery): Promise<OrganizationRecord[]> {
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
  const result = await db.query<OrganizationRecord>(`SELECT ${columns} FROM organizations o WHERE ${where}${pageSql('o', page, params)}`, params);
  return result.rows;
}

export async function updateOrganization(db: Queryable, id: string, input: OrganizationInput, actor: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE organizations SET name = $2, description = $3, tags = $4, organization_type = $5, domain = $6,
       provider_scope = $7, provider_id = $8, google_customer_id = $9, modified_at = now(), modified_by = $10
     WHERE id = $1`,
    [id, ...metadataValues(input.metadata), ...specValues(input), actor],
    { notes: true },
  );
  return result.rowCount > 0;
}

/** Starts deletion; purgeDeleted removes the row (and, by cascade, everything in it). */
export async function markOrganizationDeleted(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('UPDATE organizations SET deletion_time = COALESCE(deletion_time, now()) WHERE id = $1', [id], { notes: true });
  return result.rowCount > 0;
}

/** Serializes usage changes of one organization (quota checks) for the rest of the transaction. */
export async function lockOrganization(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [id])).rowCount > 0;
}

export async function purgeDeletedOrganizations(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM organizations WHERE deletion_time IS NOT NULL', undefined, { notes: true })).rowCount;
}
