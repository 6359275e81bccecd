import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import { metadataValues, type MetadataRow } from '../common/metadata.ts';
import { pageSql, type PageQuery } from '../common/pagination.ts';
import { linkedIds, replaceLinks } from '../common/references.ts';
import type { GroupWrite } from './schemas.ts';

export interface GroupRow extends MetadataRow {
  organization_id: string;
  user_ids: string[];
  service_account_ids: string[];
  role_ids: string[];
}

const select = `SELECT g.id, g.organization_id, g.name, g.description, g.tags, g.created_at, g.created_by,
    g.modified_at, g.modified_by,
    ${linkedIds('groupUsers', 'left', 'g')} AS user_ids,
    ${linkedIds('groupServiceAccounts', 'left', 'g')} AS service_account_ids,
    ${linkedIds('groupRoles', 'left', 'g')} AS role_ids
  FROM groups g`;

export async function listGroups(db: Queryable, organizationId: string, page: PageQuery): Promise<GroupRow[]> {
  const params: unknown[] = [organizationId];
  return (await db.query<GroupRow>(`${select} WHERE g.organization_id = $1${pageSql('g', page, params)}`, params)).rows;
}

export async function getGroup(db: Queryable, organizationId: string, id: string): Promise<GroupRow | undefined> {
  return (await db.query<GroupRow>(`${select} WHERE g.organization_id = $1 AND g.id = $2`, [organizationId, id])).rows[0];
}

async function writeMembers(db: Queryable, organizationId: string, id: string, body: GroupWrite) {
  await replaceLinks(db, 'groupRoles', 'left', organizationId, id, body.spec.roleIDs);
  await replaceLinks(db, 'groupUsers', 'left', organizationId, id, body.spec.userIDs);
  await replaceLinks(db, 'groupServiceAccounts', 'left', organizationId, id, body.spec.serviceAccountIDs);
}

export async function insertGroup(db: Queryable, organizationId: string, body: GroupWrite, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO groups (id, organization_id, name, description, tags, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, organizationId, ...metadataValues(body.metadata), actor],
  );
  await writeMembers(db, organizationId, id, body);
  return id;
}

export async function updateGroup(db: Queryable, organizationId: string, id: string, body: GroupWrite, actor: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE groups SET name = $3, description = $4, tags = $5, modified_at = now(), modified_by = $6
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(body.metadata), actor],
  );
  if (result.rowCount === 0) return false;
  await writeMembers(db, organizationId, id, body);
  return true;
}

/** Deleting a group unlinks it from projects, users and service accounts by cascade. */
export async function deleteGroup(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM groups WHERE organization_id = $1 AND id = $2', [organizationId, id])).rowCount > 0;
}
