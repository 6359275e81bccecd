/** SQL of service accounts (table service_accounts). */
import { randomUUID } from 'node:crypto';
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { linkedIds, links } from '../common/links.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { ServiceAccountInput, ServiceAccountRecord } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  service_accounts_name_key: 'a service account with this name already exists',
};

const select = `SELECT s.id, s.organization_id, s.name, s.description, s.tags, s.created_at, s.created_by,
    s.modified_at, s.modified_by, c.expires_at, ${linkedIds(links.groupServiceAccounts, 'right', 's')} AS group_ids
  FROM service_accounts s LEFT JOIN credentials c ON c.service_account_id = s.id`;

/** `only` narrows the list to one account (a service account listing itself). */
export async function listServiceAccounts(db: Queryable, organizationId: string, page: PageQuery, only?: string): Promise<ServiceAccountRecord[]> {
  const params: unknown[] = [organizationId];
  let where = 's.organization_id = $1';
  if (only) {
    params.push(only);
    where += ' AND s.id = $2';
  }
  return (await db.query<ServiceAccountRecord>(`${select} WHERE ${where}${pageSql('s', page, params)}`, params)).rows;
}

export async function getServiceAccount(db: Queryable, organizationId: string, id: string): Promise<ServiceAccountRecord | undefined> {
  return (await db.query<ServiceAccountRecord>(`${select} WHERE s.organization_id = $1 AND s.id = $2`, [organizationId, id])).rows[0];
}

export async function insertServiceAccount(db: Queryable, organizationId: string, input: ServiceAccountInput, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    'INSERT INTO service_accounts (id, organization_id, name, description, tags, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, organizationId, ...metadataValues(input.metadata), actor],
    { notes: true },
  );
  return id;
}

export async function updateServiceAccount(db: Queryable, organizationId: string, id: string, input: ServiceAccountInput, actor: string): Promise<void> {
  await db.query(
    `UPDATE service_accounts SET name = $3, description = $4, tags = $5, modified_at = now(), modified_by = $6
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(input.metadata), actor],
    { notes: true },
  );
}

/** Deleting the account deletes its token (cascade), which revokes it at once. */
export async function deleteServiceAccount(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM service_accounts WHERE organization_id = $1 AND id = $2', [organizationId, id], { notes: true })).rowCount > 0;
}
