/** SQL of OAuth clients (table oauth_clients). */
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { ClientRecord, ClientValues } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  oauth_clients_name_key: 'a client with this name already exists',
};

const select = `SELECT c.id, c.name, c.description, c.tags, c.secret_hash, c.token_endpoint_auth_method, c.redirect_uris,
    c.post_logout_redirect_uris, c.grant_types, c.scopes, c.role_id, r.name AS role_name, c.login_uri, c.onboarding_uri,
    c.home_uri, c.error_uri, c.id_token_signed_response_alg, c.created_at, c.created_by, c.modified_at, c.modified_by
  FROM oauth_clients c LEFT JOIN roles r ON r.id = c.role_id`;

const values = (v: ClientValues) => [
  ...metadataValues(v.metadata),
  v.authMethod,
  v.redirectUris,
  v.postLogoutRedirectUris,
  v.grantTypes,
  v.scopes,
  v.roleId,
  v.loginUri,
  v.onboardingUri,
  v.homeUri,
  v.errorUri,
  v.idTokenAlg,
];

export async function listClients(db: Queryable, page: PageQuery): Promise<ClientRecord[]> {
  const params: unknown[] = [];
  return (await db.query<ClientRecord>(`${select} WHERE true${pageSql('c', page, params)}`, params)).rows;
}

export async function getClient(db: Queryable, id: string): Promise<ClientRecord | undefined> {
  return (await db.query<ClientRecord>(`${select} WHERE c.id = $1`, [id], { prepare: true })).rows[0];
}

export async function insertClient(db: Queryable, id: string, v: ClientValues, secretHash: string | null, actor: string) {
  await db.query(
    `INSERT INTO oauth_clients (id, name, description, tags, token_endpoint_auth_method, redirect_uris,
       post_logout_redirect_uris, grant_types, scopes, role_id, login_uri, onboarding_uri, home_uri, error_uri,
       id_token_signed_response_alg, secret_hash, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [id, ...values(v), secretHash, actor],
    { notes: true },
  );
}

/** `secretHash` undefined keeps the stored secret. */
export async function updateClient(db: Queryable, id: string, v: ClientValues, secretHash: string | null | undefined, actor: string) {
  const result = await db.query(
    `UPDATE oauth_clients SET name = $2, description = $3, tags = $4, token_endpoint_auth_method = $5,
       redirect_uris = $6, post_logout_redirect_uris = $7, grant_types = $8, scopes = $9, role_id = $10,
       login_uri = $11, onboarding_uri = $12, home_uri = $13, error_uri = $14, id_token_signed_response_alg = $15,
       secret_hash = CASE WHEN $16::boolean THEN $17 ELSE secret_hash END, modified_at = now(), modified_by = $18
     WHERE id = $1`,
    [id, ...values(v), secretHash !== undefined, secretHash ?? null, actor],
    { notes: true },
  );
  return result.rowCount > 0;
}

/** Deleting a client ends its sessions, codes and refresh tokens (cascade). */
export async function deleteClient(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM oauth_clients WHERE id = $1', [id], { notes: true })).rowCount > 0;
}

/** The role name of a client that may use client_credentials (null: no role); undefined if it may not (or is gone). */
export async function systemClientRole(db: Queryable, id: string): Promise<string | null | undefined> {
  const result = await db.query<{ role: string | null }>(
    `SELECT r.name AS role FROM oauth_clients c LEFT JOIN roles r ON r.id = c.role_id
      WHERE c.id = $1 AND 'client_credentials' = ANY(c.grant_types)`,
    [id],
    { prepare: true },
  );
  return result.rows[0] ? result.rows[0].role : undefined;
}

/**
 * Whether `origin` (as a browser serializes it: scheme://host[:port], default port left out)
 * is the origin of a redirect URI of some public client.
 */
export async function isPublicClientOrigin(db: Queryable, origin: string): Promise<boolean> {
  const result = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM oauth_clients c, unnest(c.redirect_uris) AS r(uri)
      WHERE c.token_endpoint_auth_method = 'none' AND (r.uri = $1 OR starts_with(r.uri, $1 || '/'))) AS found`,
    [origin],
  );
  return result.rows[0]?.found ?? false;
}
