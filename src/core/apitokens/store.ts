/** SQL of API tokens (tables api_tokens, api_token_grants, api_token_policies). */
import type { Queryable } from '../../db/db.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { ApiTokenCredential, ApiTokenFilter, ApiTokenInput, ApiTokenPolicy, ApiTokenRecord } from './model.ts';

const select = `SELECT t.id, t.organization_id, t.name, t.description, t.resources, t.source_ips, t.expires_at, t.active, t.secret_hint, t.rate_limit_per_hour,
    CASE WHEN t.previous_valid_until > now() THEN t.previous_valid_until END AS previous_valid_until,
    t.created_at, t.created_by, t.modified_at, t.modified_by, t.last_used_at, t.last_used_ip,
    COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('roleId', g.role_id, 'projectId', g.project_id)) ORDER BY g.role_id, g.project_id)
                FROM api_token_grants g WHERE g.api_token_id = t.id), '[]') AS privileges
  FROM api_tokens t`;

export async function listTokens(db: Queryable, organizationId: string, filter: ApiTokenFilter, page: PageQuery): Promise<ApiTokenRecord[]> {
  const params: unknown[] = [organizationId];
  let where = 't.organization_id = $1';
  if (filter.state === 'active') where += ' AND t.active AND (t.expires_at IS NULL OR t.expires_at > now())';
  if (filter.state === 'inactive') where += ' AND NOT t.active';
  if (filter.state === 'expired') where += ' AND t.expires_at <= now()';
  if (filter.search) {
    params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where += ` AND t.name ILIKE $${params.length}`;
  }
  if (filter.expiresBefore) {
    params.push(filter.expiresBefore);
    where += ` AND t.expires_at < $${params.length}`;
  }
  if (filter.lastUsedBefore) {
    params.push(filter.lastUsedBefore);
    where += ` AND (t.last_used_at IS NULL OR t.last_used_at < $${params.length})`;
  }
  return (await db.query<ApiTokenRecord>(`${select} WHERE ${where}${pageSql('t', page, params)}`, params)).rows;
}

/** A page by number (a vendor face's pagination): newest first. */
export async function listTokensPage(db: Queryable, organizationId: string, offset: number, limit: number): Promise<ApiTokenRecord[]> {
  const result = await db.query<ApiTokenRecord>(`${select} WHERE t.organization_id = $1 ORDER BY t.created_at DESC, t.id DESC OFFSET $2 LIMIT $3`, [
    organizationId,
    offset,
    limit,
  ]);
  return result.rows;
}

export async function getToken(db: Queryable, organizationId: string, id: string): Promise<ApiTokenRecord | undefined> {
  return (await db.query<ApiTokenRecord>(`${select} WHERE t.organization_id = $1 AND t.id = $2`, [organizationId, id], { prepare: true })).rows[0];
}

/** Locks the token's row for the rest of the transaction: changes of one token take turns. */
export async function lockToken(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM api_tokens WHERE organization_id = $1 AND id = $2 FOR UPDATE', [organizationId, id]);
  return result.rowCount > 0;
}

/** Tokens an organization holds, whatever their state: what the policy's maximum counts. */
export async function countTokens(db: Queryable, organizationId: string): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE organization_id = $1', [organizationId], { prepare: true });
  return result.rows[0]!.n;
}

/** Serializes token creation per organization, so concurrent creates cannot pass the maximum together. */
export async function lockOrganizationTokens(db: Queryable, organizationId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('tessera.apitokens:' || $1))`, [organizationId], { prepare: true });
}

export async function insertToken(
  db: Queryable,
  t: { id: string; organizationId: string; input: ApiTokenInput; tokenHash: string; secretHint: string; actor: string },
): Promise<void> {
  const { input } = t;
  await db.query(
    `INSERT INTO api_tokens (id, organization_id, name, description, resources, source_ips, expires_at, active, token_hash, created_by, secret_hint,
       rate_limit_per_hour)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      t.id,
      t.organizationId,
      input.name,
      input.description ?? null,
      JSON.stringify(input.resources ?? []),
      input.sourceIps ?? [],
      input.expiresAt ?? null,
      input.active ?? true,
      t.tokenHash,
      t.actor,
      t.secretHint,
      input.rateLimitPerHour ?? null,
    ],
    { prepare: true, notes: true },
  );
}

export async function updateToken(db: Queryable, organizationId: string, id: string, input: ApiTokenInput, actor: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE api_tokens SET name = $3, description = $4, resources = $5, source_ips = $6, active = $7, modified_at = now(), modified_by = $8,
            rate_limit_per_hour = $9
      WHERE organization_id = $1 AND id = $2`,
    [
      organizationId,
      id,
      input.name,
      input.description ?? null,
      JSON.stringify(input.resources ?? []),
      input.sourceIps ?? [],
      input.active ?? true,
      actor,
      input.rateLimitPerHour ?? null,
    ],
    { notes: true },
  );
  return result.rowCount > 0;
}

export async function replaceGrants(db: Queryable, organizationId: string, id: string, privileges: ApiTokenInput['privileges']): Promise<void> {
  await db.query('DELETE FROM api_token_grants WHERE organization_id = $1 AND api_token_id = $2', [organizationId, id], { prepare: true, notes: true });
  await insertGrants(db, organizationId, id, privileges);
}

/** The privileges of a token that has none yet. */
export async function insertGrants(db: Queryable, organizationId: string, id: string, privileges: ApiTokenInput['privileges']): Promise<void> {
  if (!privileges.length) return;
  await db.query(
    `INSERT INTO api_token_grants (organization_id, api_token_id, role_id, project_id)
     SELECT $1, $2, p.role_id, p.project_id FROM unnest($3::uuid[], $4::uuid[]) AS p(role_id, project_id)`,
    [organizationId, id, privileges.map((p) => p.roleId), privileges.map((p) => p.projectId ?? null)],
    { prepare: true, notes: true },
  );
}

/**
 * A new secret; the previous one keeps working for `graceSeconds` (0: not at all). Its hash is
 * kept after that too, so that a later use is recognized, refused and audited as such.
 */
export async function rotateToken(
  db: Queryable,
  organizationId: string,
  id: string,
  secret: { hash: string; hint: string },
  graceSeconds: number,
  actor: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE api_tokens SET previous_token_hash = token_hash,
            previous_valid_until = now() + make_interval(secs => $4),
            token_hash = $3, secret_hint = $6, modified_at = now(), modified_by = $5
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, secret.hash, graceSeconds, actor, secret.hint],
    { notes: true },
  );
  return result.rowCount > 0;
}

export async function deleteToken(db: Queryable, organizationId: string, id: string): Promise<string | undefined> {
  const result = await db.query<{ name: string }>('DELETE FROM api_tokens WHERE organization_id = $1 AND id = $2 RETURNING name', [organizationId, id], {
    notes: true,
  });
  return result.rows[0]?.name;
}

const credentialColumns = `t.id, t.organization_id, t.name, t.token_hash, t.previous_token_hash, t.active, t.source_ips,
            t.previous_valid_until, t.expires_at, t.last_used_at, t.created_at, t.resources,
            o.deletion_time IS NOT NULL AS organization_deleting,
            COALESCE(t.rate_limit_per_hour, p.rate_limit_per_hour) AS rate_limit_per_hour
       FROM api_tokens t JOIN organizations o ON o.id = t.organization_id
       LEFT JOIN api_token_policies p ON p.organization_id = t.organization_id`;

/** The hot path's one lookup: by the current secret's hash, or the previous one's during (and after) its grace window. */
export async function findCredential(db: Queryable, tokenHash: string): Promise<ApiTokenCredential | undefined> {
  const result = await db.query<ApiTokenCredential>(
    `SELECT t.previous_token_hash = $1 AS matched_previous, ${credentialColumns}
      WHERE t.token_hash = $1 OR t.previous_token_hash = $1`,
    [tokenHash],
    { prepare: true },
  );
  return result.rows[0];
}

/** The same, by ID: for a JWT exchanged for the token. */
export async function findCredentialById(db: Queryable, id: string): Promise<ApiTokenCredential | undefined> {
  const result = await db.query<ApiTokenCredential>(`SELECT false AS matched_previous, ${credentialColumns} WHERE t.id = $1`, [id], { prepare: true });
  return result.rows[0];
}

/** Last use, at most once a minute per token, so that authenticating stays a read. */
export async function touchToken(db: Queryable, id: string, ip: string): Promise<void> {
  await db.query(
    `UPDATE api_tokens SET last_used_at = now(), last_used_ip = $2
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id, ip],
    { prepare: true, notes: true },
  );
}

export async function getPolicy(db: Queryable, organizationId: string): Promise<ApiTokenPolicy | undefined> {
  const result = await db.query<ApiTokenPolicy>(
    `SELECT max_lifetime_seconds AS "maxLifetimeSeconds", require_expiry AS "requireExpiry", max_tokens AS "maxTokens",
            rate_limit_per_hour AS "rateLimitPerHour"
       FROM api_token_policies WHERE organization_id = $1`,
    [organizationId],
    { prepare: true },
  );
  return result.rows[0];
}

export async function putPolicy(db: Queryable, organizationId: string, policy: ApiTokenPolicy, actor: string): Promise<void> {
  await db.query(
    `INSERT INTO api_token_policies (organization_id, max_lifetime_seconds, require_expiry, max_tokens, rate_limit_per_hour, modified_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (organization_id) DO UPDATE SET max_lifetime_seconds = $2, require_expiry = $3, max_tokens = $4,
       rate_limit_per_hour = $5, modified_at = now(), modified_by = $6`,
    [organizationId, policy.maxLifetimeSeconds, policy.requireExpiry, policy.maxTokens, policy.rateLimitPerHour, actor],
    { notes: true },
  );
}
