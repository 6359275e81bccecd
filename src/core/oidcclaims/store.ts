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

type ClaimValues = Pick<ClaimsRecord, 'audience' | 'ttl_ms'>;

/**
 * A project's claims and its organization's (either may be missing), and whether the project is
 * being deleted: one statement, all that minting a workload token reads. undefined: the
 * organization has no such project.
 */
export async function claimsOfProject(
  db: Queryable,
  organizationId: string,
  projectId: string,
): Promise<{ deletion_time: Date | null; project?: ClaimValues; organization?: ClaimValues } | undefined> {
  const result = await db.query<{ deletion_time: Date | null; scope: 'project' | 'organization' | null } & ClaimValues>(
    `SELECT p.deletion_time, c.audience, c.ttl_ms,
            CASE WHEN c.project_id IS NOT NULL THEN 'project' WHEN c.organization_id IS NOT NULL THEN 'organization' END AS scope
       FROM projects p
       LEFT JOIN oidc_claims c ON c.organization_id = p.organization_id AND (c.project_id = p.id OR c.project_id IS NULL)
      WHERE p.organization_id = $1 AND p.id = $2`,
    [organizationId, projectId],
    { prepare: true },
  );
  const first = result.rows[0];
  if (!first) return undefined;
  const at = (scope: 'project' | 'organization') => {
    const row = result.rows.find((candidate) => candidate.scope === scope);
    return row && { audience: row.audience, ttl_ms: row.ttl_ms === null ? null : Number(row.ttl_ms) };
  };
  return { deletion_time: first.deletion_time, project: at('project'), organization: at('organization') };
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
    { notes: true },
  );
}
