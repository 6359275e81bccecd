/** SQL of accounts and memberships (tables users, organization_users, user_identities, signup_tokens). */
import { randomUUID } from 'node:crypto';
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { linkedIds, links } from '../common/links.ts';
import { type Metadata, metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { AccountRecord, MembershipRecord, Profile, UpstreamIdentity, UserState } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  organization_users_organization_id_user_id_key: 'this user is already a member of the organization',
};

const select = `SELECT m.id, m.organization_id, m.name, m.description, m.tags, m.state, m.created_at, m.created_by,
    m.modified_at, m.modified_by, u.email,
    -- activity before the membership began is another organization's business
    CASE WHEN u.last_active > m.created_at THEN u.last_active END AS last_active, ${linkedIds(links.groupUsers, 'right', 'm')} AS group_ids
  FROM organization_users m JOIN users u ON u.id = m.user_id`;

export async function listMemberships(db: Queryable, organizationId: string, page: PageQuery): Promise<MembershipRecord[]> {
  const params: unknown[] = [organizationId];
  return (await db.query<MembershipRecord>(`${select} WHERE m.organization_id = $1${pageSql('m', page, params)}`, params)).rows;
}

export async function getMembership(db: Queryable, organizationId: string, id: string): Promise<MembershipRecord | undefined> {
  return (await db.query<MembershipRecord>(`${select} WHERE m.organization_id = $1 AND m.id = $2`, [organizationId, id])).rows[0];
}

/** The global account for an email, created (in `state`) on first use. */
export async function ensureAccount(db: Queryable, email: string, state: 'active' | 'pending'): Promise<{ id: string; created: boolean }> {
  const inserted = await db.query<{ id: string }>(
    'INSERT INTO users (id, email, state) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id',
    [randomUUID(), email, state],
    { notes: true },
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const existing = await db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [email]);
  return { id: existing.rows[0]!.id, created: false };
}

export interface MembershipValues {
  metadata: Metadata;
  state: UserState;
}

export async function insertMembership(db: Queryable, organizationId: string, accountId: string, values: MembershipValues, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO organization_users (id, organization_id, user_id, name, description, tags, state, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, organizationId, accountId, ...metadataValues(values.metadata), values.state, actor],
    { notes: true },
  );
  return id;
}

export async function updateMembership(db: Queryable, organizationId: string, id: string, values: MembershipValues, actor: string): Promise<void> {
  await db.query(
    `UPDATE organization_users SET name = $3, description = $4, tags = $5, state = $6, modified_at = now(), modified_by = $7
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(values.metadata), values.state, actor],
    { notes: true },
  );
}

/** Removing a member also removes it from every group, by cascade. */
export async function deleteMembership(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM organization_users WHERE organization_id = $1 AND id = $2', [organizationId, id], { notes: true })).rowCount > 0;
}

export async function accountByIdentity(db: Queryable, issuer: string, subject: string): Promise<AccountRecord | undefined> {
  const result = await db.query<AccountRecord>(
    'SELECT u.id, u.email, u.state FROM user_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2',
    [issuer, subject],
  );
  return result.rows[0];
}

export async function accountByEmail(db: Queryable, email: string): Promise<AccountRecord | undefined> {
  return (await db.query<AccountRecord>('SELECT id, email, state FROM users WHERE lower(email) = lower($1)', [email])).rows[0];
}

/** Links (or refreshes) an upstream identity on an account and records the login. */
export async function linkIdentity(db: Queryable, accountId: string, identity: UpstreamIdentity, providerId: string | null): Promise<void> {
  await db.query(
    `INSERT INTO user_identities (issuer, subject, user_id, provider_id, email, given_name, family_name, name, picture, last_login_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     ON CONFLICT (issuer, subject) DO UPDATE SET email = $5, given_name = $6, family_name = $7, name = $8, picture = $9,
       last_login_at = now()`,
    [
      identity.issuer,
      identity.subject,
      accountId,
      providerId,
      identity.email,
      identity.givenName ?? null,
      identity.familyName ?? null,
      identity.name ?? null,
      identity.picture ?? null,
    ],
  );
  await db.query('UPDATE users SET last_active = now() WHERE id = $1', [accountId], { notes: true });
}

/** Profile claims for ID tokens and userinfo, from the most recent upstream login. */
export async function profile(db: Queryable, accountId: string): Promise<Profile | undefined> {
  const result = await db.query<Profile>(
    `SELECT u.email, i.name, i.given_name, i.family_name, i.picture
       FROM users u LEFT JOIN LATERAL (
         SELECT * FROM user_identities WHERE user_id = u.id ORDER BY last_login_at DESC NULLS LAST LIMIT 1) i ON true
      WHERE u.id = $1`,
    [accountId],
    { prepare: true },
  );
  return result.rows[0];
}

export async function insertSignupToken(db: Queryable, tokenHash: string, accountId: string, ttlSeconds: number): Promise<void> {
  await db.query('INSERT INTO signup_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))', [
    tokenHash,
    accountId,
    ttlSeconds,
  ]);
}

/** Consumes a live signup token and activates its pending account; false if there is none. */
export async function consumeSignupToken(db: Queryable, tokenHash: string): Promise<boolean> {
  const used = await db.query<{ user_id: string }>(
    `UPDATE signup_tokens SET consumed_at = now()
      WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > now() RETURNING user_id`,
    [tokenHash],
  );
  if (!used.rows[0]) return false;
  await db.query(`UPDATE users SET state = 'active' WHERE id = $1 AND state = 'pending'`, [used.rows[0].user_id], { notes: true });
  return true;
}

export async function purgeExpiredSignupTokens(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM signup_tokens WHERE expires_at < now()')).rowCount;
}
