/**
 * Join tables that link two rows of one organization. Any store may read them (a user's
 * groupIDs come from group_users); only the store of the owning module writes them
 * (docs/architecture.md lists the owners, and test/architecture.test.ts checks them).
 */
import type { Queryable } from '../../db/db.ts';

export interface Link {
  table: string;
  left: string;
  right: string;
}

export const links = {
  groupRoles: { table: 'group_roles', left: 'group_id', right: 'role_id' },
  groupUsers: { table: 'group_users', left: 'group_id', right: 'organization_user_id' },
  groupServiceAccounts: { table: 'group_service_accounts', left: 'group_id', right: 'service_account_id' },
  projectGroups: { table: 'project_groups', left: 'project_id', right: 'group_id' },
} as const satisfies Record<string, Link>;

/**
 * Makes the set of rows linked to `ownerId` exactly `ids`. `side` says which column
 * `ownerId` fills: a group's userIDs and a user's groupIDs edit the same table.
 */
export async function replaceLinks(
  db: Queryable,
  link: Link,
  side: 'left' | 'right',
  organizationId: string,
  ownerId: string,
  ids: readonly string[],
): Promise<void> {
  const [owner, other] = side === 'left' ? [link.left, link.right] : [link.right, link.left];
  await db.query(`DELETE FROM ${link.table} WHERE organization_id = $1 AND ${owner} = $2`, [organizationId, ownerId], { notes: true });
  if (ids.length) {
    await db.query(
      `INSERT INTO ${link.table} (organization_id, ${owner}, ${other}) SELECT $1, $2, unnest($3::uuid[])`,
      [organizationId, ownerId, [...new Set(ids)]],
      { notes: true },
    );
  }
}

/** SQL for the sorted IDs linked to `<alias>.id` through `link` (as a text[] column). */
export function linkedIds(link: Link, side: 'left' | 'right', alias: string): string {
  const [owner, other] = side === 'left' ? [link.left, link.right] : [link.right, link.left];
  return `COALESCE((SELECT array_agg(${other}::text ORDER BY ${other}) FROM ${link.table} WHERE ${owner} = ${alias}.id), '{}')`;
}

/** The IDs among `ids` that name no row of `table` in the organization. */
export async function missingIds(db: Queryable, table: string, organizationId: string, ids: readonly string[]): Promise<string[]> {
  if (!ids.length) return [];
  const found = await db.query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [
    organizationId,
    ids,
  ]);
  const known = new Set(found.rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}
