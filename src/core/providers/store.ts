/** SQL of upstream identity providers (table oauth2_providers). */
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { Owner, ProviderInput, ProviderRecord, ProviderType } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  oauth2_providers_name_key: 'a provider with this name already exists',
};

const select = `SELECT p.id, p.organization_id, p.name, p.description, p.tags, p.type, p.issuer, p.client_id,
    p.created_at, p.created_by, p.modified_at, p.modified_by
  FROM oauth2_providers p`;
const owned = (n: number) => `p.organization_id IS NOT DISTINCT FROM $${n}::uuid`;

export async function listProviders(db: Queryable, owner: Owner, page: PageQuery): Promise<ProviderRecord[]> {
  const params: unknown[] = [owner];
  return (await db.query<ProviderRecord>(`${select} WHERE ${owned(1)}${pageSql('p', page, params)}`, params)).rows;
}

export async function getProvider(db: Queryable, owner: Owner, id: string): Promise<ProviderRecord | undefined> {
  return (await db.query<ProviderRecord>(`${select} WHERE ${owned(1)} AND p.id = $2`, [owner, id])).rows[0];
}

export async function insertProvider(db: Queryable, owner: Owner, id: string, input: ProviderInput, sealedSecret: string | null, actor: string) {
  await db.query(
    `INSERT INTO oauth2_providers (id, organization_id, name, description, tags, type, issuer, client_id,
       client_secret_ciphertext, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, owner, ...metadataValues(input.metadata), input.type ?? null, input.issuer, input.clientId, sealedSecret, actor],
  );
}

/** `sealedSecret` undefined keeps the stored secret. */
export async function updateProvider(db: Queryable, owner: Owner, id: string, input: ProviderInput, sealedSecret: string | undefined, actor: string) {
  const result = await db.query(
    `UPDATE oauth2_providers p SET name = $3, description = $4, tags = $5, type = $6, issuer = $7, client_id = $8,
       client_secret_ciphertext = CASE WHEN $9::boolean THEN $10 ELSE client_secret_ciphertext END,
       modified_at = now(), modified_by = $11
     WHERE ${owned(1)} AND p.id = $2`,
    [owner, id, ...metadataValues(input.metadata), input.type ?? null, input.issuer, input.clientId, sealedSecret !== undefined, sealedSecret ?? null, actor],
  );
  return result.rowCount > 0;
}

export async function deleteProvider(db: Queryable, owner: Owner, id: string): Promise<boolean> {
  const result = await db.query(`DELETE FROM oauth2_providers p WHERE ${owned(1)} AND p.id = $2`, [owner, id]);
  return result.rowCount > 0;
}

/** The organization scope of a provider: null for a system provider, undefined if none. */
export async function providerOwner(db: Queryable, id: string): Promise<Owner | undefined> {
  const result = await db.query<{ organization_id: string | null }>('SELECT organization_id FROM oauth2_providers WHERE id = $1', [id]);
  return result.rows.length ? result.rows[0]!.organization_id : undefined;
}

export async function systemProviders(db: Queryable) {
  const rows = await db.query<{ id: string; name: string; description: string | null; type: ProviderType | null }>(
    'SELECT id, name, description, type FROM oauth2_providers WHERE organization_id IS NULL ORDER BY lower(name)',
  );
  return rows.rows;
}

/** The login provider of the organization that owns an email domain (never another organization's). */
export async function domainProvider(db: Queryable, domain: string): Promise<string | undefined> {
  const result = await db.query<{ provider_id: string }>(
    `SELECT p.id AS provider_id FROM organizations o JOIN oauth2_providers p ON p.id = o.provider_id
      WHERE lower(o.domain) = lower($1) AND o.organization_type = 'domain' AND o.deletion_time IS NULL
        AND ((o.provider_scope = 'global' AND p.organization_id IS NULL)
          OR (o.provider_scope = 'organization' AND p.organization_id = o.id))`,
    [domain],
  );
  return result.rows[0]?.provider_id;
}

export async function loginProvider(db: Queryable, id: string) {
  const result = await db.query<{
    id: string;
    type: ProviderType | null;
    issuer: string;
    client_id: string;
    client_secret_ciphertext: string | null;
    version: Date;
    organization_id: string | null;
    domain: string | null;
  }>(
    `SELECT p.id, p.type, p.issuer, p.client_id, p.client_secret_ciphertext, COALESCE(p.modified_at, p.created_at) AS version,
            p.organization_id, o.domain
       FROM oauth2_providers p LEFT JOIN organizations o ON o.id = p.organization_id
      WHERE p.id = $1`,
    [id],
  );
  return result.rows[0];
}
