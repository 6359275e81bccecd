/** SQL of trust policies (table trust_policies). */
import type { Queryable } from '../../db/db.ts';
import type { TrustPolicyInput, TrustPolicyRecord } from './model.ts';

const select =
  'SELECT id, organization_id, service_account_id, issuer, audiences, subject_pattern, required_claims, created_at, created_by FROM trust_policies';

export async function listPolicies(db: Queryable, organizationId: string, serviceAccountId: string): Promise<TrustPolicyRecord[]> {
  return (
    await db.query<TrustPolicyRecord>(`${select} WHERE organization_id = $1 AND service_account_id = $2 ORDER BY created_at, id`, [
      organizationId,
      serviceAccountId,
    ])
  ).rows;
}

export async function getPolicy(db: Queryable, organizationId: string, serviceAccountId: string, id: string): Promise<TrustPolicyRecord | undefined> {
  return (
    await db.query<TrustPolicyRecord>(`${select} WHERE organization_id = $1 AND service_account_id = $2 AND id = $3`, [organizationId, serviceAccountId, id])
  ).rows[0];
}

/** Every policy trusting an issuer, whatever its organization: the exchange's one lookup. */
export async function policiesOfIssuer(db: Queryable, issuer: string): Promise<TrustPolicyRecord[]> {
  return (await db.query<TrustPolicyRecord>(`${select} WHERE issuer = $1 ORDER BY created_at, id`, [issuer])).rows;
}

export async function insertPolicy(db: Queryable, p: { id: string; organizationId: string; serviceAccountId: string; input: TrustPolicyInput; actor: string }) {
  await db.query(
    `INSERT INTO trust_policies (id, organization_id, service_account_id, issuer, audiences, subject_pattern, required_claims, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      p.id,
      p.organizationId,
      p.serviceAccountId,
      p.input.issuer,
      p.input.audiences,
      p.input.subjectPattern,
      JSON.stringify(p.input.requiredClaims ?? {}),
      p.actor,
    ],
  );
}

export async function deletePolicy(db: Queryable, organizationId: string, serviceAccountId: string, id: string): Promise<boolean> {
  return (
    (await db.query('DELETE FROM trust_policies WHERE organization_id = $1 AND service_account_id = $2 AND id = $3', [organizationId, serviceAccountId, id]))
      .rowCount > 0
  );
}
