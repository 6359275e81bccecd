/**
 * Validation of the IDs a write refers to. The composite foreign keys would refuse a link
 * to another organization's row anyway; checking first lets the error name the bad IDs.
 */
import type { Queryable } from '../../db/db.ts';
import { InvalidRequest } from '../../http/errors.ts';

const tables = {
  groups: 'groups',
  users: 'organization_users',
  serviceAccounts: 'service_accounts',
  projects: 'projects',
} as const;

export async function requireInOrganization(
  db: Queryable,
  kind: keyof typeof tables,
  organizationId: string,
  ids: readonly string[],
  field: string,
): Promise<void> {
  if (!ids.length) return;
  const found = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM ${tables[kind]} WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
    [organizationId, ids],
  );
  const known = new Set(found.rows.map((r) => r.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) throw new InvalidRequest(`${field} names unknown IDs in this organization: ${missing.join(', ')}`);
}

/** Join tables linking an organization's rows, with the two columns they link. */
const links = {
  groupRoles: ['group_roles', 'group_id', 'role_id'],
  groupUsers: ['group_users', 'group_id', 'organization_user_id'],
  groupServiceAccounts: ['group_service_accounts', 'group_id', 'service_account_id'],
  projectGroups: ['project_groups', 'project_id', 'group_id'],
} as const;

/**
 * Makes the set of rows linked to `ownerId` through `link` exactly `ids`. `side` says which
 * column `ownerId` fills: a group's userIDs and a user's groupIDs edit the same table.
 */
export async function replaceLinks(
  db: Queryable,
  link: keyof typeof links,
  side: 'left' | 'right',
  organizationId: string,
  ownerId: string,
  ids: readonly string[],
): Promise<void> {
  const [table, left, right] = links[link];
  const [owner, other] = side === 'left' ? [left, right] : [right, left];
  await db.query(`DELETE FROM ${table} WHERE organization_id = $1 AND ${owner} = $2`, [organizationId, ownerId]);
  if (ids.length) {
    await db.query(
      `INSERT INTO ${table} (organization_id, ${owner}, ${other}) SELECT $1, $2, unnest($3::uuid[])`,
      [organizationId, ownerId, [...new Set(ids)]],
    );
  }
}

/** SQL for the sorted IDs linked to `<alias>.id` through `link` (as a text[] column). */
export function linkedIds(link: keyof typeof links, side: 'left' | 'right', alias: string): string {
  const [table, left, right] = links[link];
  const [owner, other] = side === 'left' ? [left, right] : [right, left];
  return `COALESCE((SELECT array_agg(${other}::text ORDER BY ${other}) FROM ${table} WHERE ${owner} = ${alias}.id), '{}')`;
}
