import type { Queryable } from '../../db/db.ts';
import { metadataValues, type MetadataRow } from '../common/metadata.ts';
import { pageSql, type PageQuery } from '../common/pagination.ts';
import type { ProviderWrite } from './schemas.ts';

/** Providers belong to an organization, or (organization_id NULL) to the whole system. */
export type Owner = string | null;

export interface ProviderRow extends MetadataRow {
  organization_id: string | null;
  type: 'google' | 'microsoft' | 'github' | null;
  issuer: string;
  client_id: string;
}

const select = `SELECT p.id, p.organization_id, p.name, p.description, p.tags, p.type, p.issuer, p.client_id,
    p.created_at, p.created_by, p.modified_at, p.modified_by
  FROM oauth2_providers p`;
const owned = (n: number) => `p.organization_id IS NOT DISTINCT FROM $${n}::uuid`;

export async function listProviders(db: Queryable, owner: Owner, page: PageQuery): Promise<ProviderRow[]> {
  const params: unknown[] = [owner];
  return (await db.query<ProviderRow>(`${select} WHERE ${owned(1)}${pageSql('p', page, params)}`, params)).rows;
}

export async function getProvider(db: Queryable, owner: Owner, id: string): Promise<ProviderRow | undefined> {
  return (await db.query<ProviderRow>(`${select} WHERE ${owned(1)} AND p.id = $2`, [owner, id])).rows[0];
}

export async function insertProvider(db: Queryable, owner: Owner, id: string, body: ProviderWrite, sealedSecret: string | null, actor: string) {
  await db.query(
    `INSERT INTO oauth2_providers (id, organization_id, name, description, tags, type, issuer, client_id,
       client_secret_ciphertext, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, owner, ...metadataValues(body.metadata), body.spec.type ?? null, body.spec.issuer, body.spec.clientID, sealedSecret, actor],
  );
}

/** `sealedSecret` undefined keeps the stored secret. */
export async function updateProvider(db: Queryable, owner: Owner, id: string, body: ProviderWrite, sealedSecret: string | undefined, actor: string) {
  const result = await db.query(
    `UPDATE oauth2_providers p SET name = $3, description = $4, tags = $5, type = $6, issuer = $7, client_id = $8,
       client_secret_ciphertext = CASE WHEN $9::boolean THEN $10 ELSE client_secret_ciphertext END,
       modified_at = now(), modified_by = $11
     WHERE ${owned(1)} AND p.id = $2`,
    [owner, id, ...metadataValues(body.metadata), body.spec.type ?? null, body.spec.issuer, body.spec.clientID,
      sealedSecret !== undefined, sealedSecret ?? null, actor],
  );
  return result.rowCount > 0;
}

export async function deleteProvider(db: Queryable, owner: Owner, id: string): Promise<boolean> {
  const result = await db.query(`DELETE FROM oauth2_providers p WHERE ${owned(1)} AND p.id = $2`, [owner, id]);
  return result.rowCount > 0;
}
