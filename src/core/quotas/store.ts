/** SQL of quotas (tables quota_kinds, quotas). */
import type { Queryable } from '../../db/db.ts';
import type { QuotaInput, QuotaUsageRecord } from './model.ts';

/** Every quota kind with the organization's limit (or the default) and what its allocations use. */
export async function quotaUsage(db: Queryable, organizationId: string): Promise<QuotaUsageRecord[]> {
  const result = await db.query<QuotaUsageRecord>(
    `SELECT k.kind, k.display_name, k.description, k.default_quantity,
            COALESCE(q.quantity, k.default_quantity) AS quantity,
            COALESCE(u.committed, 0)::int AS committed, COALESCE(u.reserved, 0)::int AS reserved
       FROM quota_kinds k
       LEFT JOIN quotas q ON q.organization_id = $1 AND q.kind = k.kind
       LEFT JOIN (SELECT i.kind, sum(i.committed) AS committed, sum(i.reserved) AS reserved
                    FROM allocation_items i JOIN allocations a ON a.id = i.allocation_id
                   WHERE a.organization_id = $1
                   GROUP BY i.kind) u ON u.kind = k.kind
      ORDER BY k.kind`,
    [organizationId],
  );
  return result.rows;
}

export async function knownKinds(db: Queryable): Promise<Set<string>> {
  return new Set((await db.query<{ kind: string }>('SELECT kind FROM quota_kinds')).rows.map((r) => r.kind));
}

/** A PUT replaces the organization's quotas; kinds left out fall back to their default. */
export async function replaceQuotas(db: Queryable, organizationId: string, quotas: readonly QuotaInput[]) {
  await db.query('DELETE FROM quotas WHERE organization_id = $1', [organizationId]);
  if (quotas.length) {
    await db.query('INSERT INTO quotas (organization_id, kind, quantity) SELECT $1, unnest($2::text[]), unnest($3::int[])', [
      organizationId,
      quotas.map((q) => q.kind),
      quotas.map((q) => q.quantity),
    ]);
  }
}
