/** SQL of groups (tables groups, group_roles, group_users, group_service_accounts). */
import { randomUUID } from 'node:crypto';
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { linkedIds, links, missingIds, replaceLinks } from '../common/links.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { RoleRecord } from '../roles/model.ts';
import type { GroupInput, GroupRecord } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  groups_name_key: 'a group with this name already exists',
};

const select = `SELECT g.id, g.organization_id, g.name, g.description, g.tags, g.created_at, g.created_by,
    g.modified_at, g.modified_by,
    ${linkedIds(links.groupUsers, 'left', 'g')} AS user_ids,
    ${linkedIds(links.groupServiceAccounts, 'left', 'g')} AS service_account_ids,
    ${linkedIds(links.groupRoles, 'left', 'g')} AS role_ids
  FROM groups g`;

export async function listGroups(db: Queryable, organizationId: string, page: PageQuery): Promise<GroupRecord[]> {
  const params: unknown[] = [organizationId];
  return (await db.query<GroupRecord>(`${select} WHERE g.organization_id = $1${pageSql('g', page, params)}`, params)).rows;
}

export async function getGroup(db: Queryable, organizationId: string, id: string): Promise<GroupRecord | undefined> {
  return (await db.query<GroupRecord>(`${select} WHERE g.organization_id = $1 AND g.id = $2`, [organizationId, id])).rows[0];
}

async function writeMembers(db: Queryable, organizationId: string, id: string, input: GroupInput) {
  await replaceLinks(db, links.groupRoles, 'left', organizationId, id, input.roleIds);
  await replaceLinks(db, links.groupUsers, 'left', organizationId, id, input.userIds);
  await replaceLinks(db, links.groupServiceAccounts, 'left', organizationId, id, input.serviceAccountIds);
}

export async function insertGroup(db: Queryable, organizationId: string, input: GroupInput, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query('INSERT INTO groups (id, organization_id, name, description, tags, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    organizationId,
    ...metadataValues(input.metadata),
    actor,
  ]);
  await writeMembers(db, organizationId, id, input);
  return id;
}

export async function updateGroup(db: Queryable, organizationId: string, id: string, input: GroupInput, actor: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE groups SET name = $3, description = $4, tags = $5, modified_at = now(), modified_by = $6
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(input.metadata), actor],
  );
  if (result.rowCount === 0) return false;
  await writeMembers(db, organizationId, id, input);
  return true;
}

/** Deleting a group unlinks it from projects, users and service accounts by cascade. */
export async function deleteGroup(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM groups WHERE organization_id = $1 AND id = $2', [organizationId, id])).rowCount > 0;
}

/** A member's groups are exactly `groupIds` (a user's or service account's groupIDs). */
export async function replaceGroupsOf(db: Queryable, member: 'user' | 'serviceAccount', organizationId: string, memberId: string, groupIds: readonly string[]) {
  await replaceLinks(db, member === 'user' ? links.groupUsers : links.groupServiceAccounts, 'right', organizationId, memberId, groupIds);
}

export const missingGroups = (db: Queryable, organizationId: string, ids: readonly string[]) => missingIds(db, 'groups', organizationId, ids);
export const missingUsers = (db: Queryable, organizationId: string, ids: readonly string[]) => missingIds(db, 'organization_users', organizationId, ids);
export const missingServiceAccounts = (db: Queryable, organizationId: string, ids: readonly string[]) =>
  missingIds(db, 'service_accounts', organizationId, ids);

/** The roles that membership of these groups confers. */
export async function rolesOfGroups(db: Queryable, organizationId: string, groupIds: readonly string[]): Promise<RoleRecord[]> {
  const result = await db.query<RoleRecord>(
    `SELECT DISTINCT r.id, r.name, r.description, r.protected, r.scopes, r.created_at
       FROM group_roles gr JOIN roles r ON r.id = gr.role_id
      WHERE gr.organization_id = $1 AND gr.group_id = ANY($2::uuid[])`,
    [organizationId, groupIds],
  );
  return result.rows;
}
