import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import { metadataValues, type MetadataRow } from '../common/metadata.ts';
import { pageSql, type PageQuery } from '../common/pagination.ts';
import { linkedIds, replaceLinks } from '../common/references.ts';

export interface MembershipRow extends MetadataRow {
  organization_id: string;
  email: string;
  state: 'active' | 'pending' | 'suspended';
  last_active: Date | null;
  group_ids: string[];
}

const select = `SELECT m.id, m.organization_id, m.name, m.description, m.tags, m.state, m.created_at, m.created_by,
    m.modified_at, m.modified_by, u.email, u.last_active, ${linkedIds('groupUsers', 'right', 'm')} AS group_ids
  FROM organization_users m JOIN users u ON u.id = m.user_id`;

export async function listMemberships(db: Queryable, organizationId: string, page: PageQuery): Promise<MembershipRow[]> {
  const params: unknown[] = [organizationId];
  return (await db.query<MembershipRow>(`${select} WHERE m.organization_id = $1${pageSql('m', page, params)}`, params)).rows;
}

export async function getMembership(db: Queryable, organizationId: string, id: string): Promise<MembershipRow | undefined> {
  return (await db.query<MembershipRow>(`${select} WHERE m.organization_id = $1 AND m.id = $2`, [organizationId, id])).rows[0];
}

/** The global account for an email, created (in `state`) on first use. */
export async function ensureUser(db: Queryable, email: string, state: 'active' | 'pending'): Promise<{ id: string; created: boolean }> {
  const inserted = await db.query<{ id: string }>(
    'INSERT INTO users (id, email, state) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id',
    [randomUUID(), email, state],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  return { id: (await db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [email])).rows[0].id, created: false };
}

export interface MembershipValues {
  metadata: { name: string; description?: string; tags?: { name: string; value: string }[] };
  state: string;
  groupIds: readonly string[];
}

export async function insertMembership(db: Queryable, organizationId: string, userId: string, values: MembershipValues, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO organization_users (id, organization_id, user_id, name, description, tags, state, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, organizationId, userId, ...metadataValues(values.metadata), values.state, actor],
  );
  await replaceLinks(db, 'groupUsers', 'right', organizationId, id, values.groupIds);
  return id;
}

export async function updateMembership(db: Queryable, organizationId: string, id: string, values: MembershipValues, actor: string): Promise<void> {
  await db.query(
    `UPDATE organization_users SET name = $3, description = $4, tags = $5, state = $6, modified_at = now(), modified_by = $7
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(values.metadata), values.state, actor],
  );
  await replaceLinks(db, 'groupUsers', 'right', organizationId, id, values.groupIds);
}

/** Removing a member also removes it from every group, by cascade. */
export async function deleteMembership(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM organization_users WHERE organization_id = $1 AND id = $2', [organizationId, id])).rowCount > 0;
}
