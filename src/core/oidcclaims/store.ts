/** SQL of custom claims (table oidc_claims). */
import type { Queryable } from '../../db/db.ts';
import type { ClaimsRecord } from './model.ts';

const columns = 'organization_id, project_id, audience, audience_updated_at, ttl_ms, ttl_updated_at';

// ttl_ms is a bigint, which comes back as a string.
const fromRow = (row: ClaimsRecord): ClaimsRecord => ({ ...row, ttl_ms: row.ttl_ms === null ? null : Number(row.ttl_ms) });

export async function getClaims(db: Queryable, organizationId: string, projectId: string | null): Promise<ClaimsRecord | undefined> {
  const result = await db.query<ClaimsRecord>(`SELECT ${columns} FROM oidc_claims WHERE organization_id = $1 AND project_id IS NOT DISTINCT FROM $2`, [
    organizationId,
    projectId,
  ]);
  return result.rows[0] && fromRow(result.rows[0]);
}

/** A project's claims and its organization's, in one read (either may be missing). */
export async function claimsOfProject(
  db: Queryable,
  organizationId: string,
  projectId: string,
): Promise<{ project?: ClaimsRecord; organization?: ClaimsRecord }> {
  const result = await db.query<ClaimsRecord>(`SELECT ${columns} FROM oidc_claims WHERE organization_id = $1 AND (project_id = $2 OR project_id IS NULL)`, [
    organizationId,
    projectId,
  ]);
  const rows = result.rows.map(fromRow);
  return { project: rows.find((row) => row.project_id !== null), organization: rows.find((row) => row.project_id === null) };
}

/** Sets the given claims (a value, or null to reset) and stamps each one set. */
export async function setClaims(
  db: Queryable,
  organizationId: string,
  projectId: string | null,
  values: { audience?: string[] | null; ttlMs?: number | null },
): Promise<void> {
  const setAudience = values.audience !== undefined;
  const setTtl = values.ttlMs !== undefined;
  await db.query(
    `INSERT INTO oidc_claims (organization_id, project_id, audience, audience_updated_at, ttl_ms, ttl_updated_at)
     VALUES ($1, $2, $4, CASE WHEN $3 THEN now() END, $6, CASE WHEN $5 THEN now() END)
     ON CONFLICT (organization_id, project_id) DO UPDATE SET
       audience = CASE WHEN $3 THEN $4 ELSE oidc_claims.audience END,
       audience_updated_at = CASE WHEN $3 THEN now() ELSE oidc_claims.audience_updated_at END,
       ttl_ms = CASE WHEN $5 THEN $6 ELSE oidc_claims.ttl_ms END,
       ttl_updated_at = CASE WHEN $5 THEN now() ELSE oidc_claims.ttl_updated_at END`,
    [organizationId, projectId, setAudience, values.audience ?? null, setTtl, values.ttlMs ?? null],
  );
}
