/**
 * The one entry point for bearer tokens on every API: Tessera's signed access tokens
 * (JWT, RFC 9068) and its opaque credentials. Either way: a signature or HMAC check and at
 * most one indexed lookup, which is also what makes revocation immediate everywhere (a
 * user token's session, a system client's registration).
 */
import type { Queryable } from '../db/db.ts';
import { AccessDenied } from '../http/errors.ts';
import type { AccessTokenPayload, TokenSigner } from '../tokens/jwt.ts';
import { looksLikeJwt } from '../tokens/jwt.ts';
import { liveSession } from '../oauth2/store.ts';
import type { Principal } from '../rbac/model.ts';
import type { CredentialService } from './service.ts';

export class Authenticator {
  constructor(
    private readonly db: Queryable,
    private readonly opaque: CredentialService,
    private readonly signer: TokenSigner,
  ) {}

  async authenticate(token: string): Promise<Principal> {
    return looksLikeJwt(token) ? this.fromAccessToken(await this.verify(token)) : this.opaque.authenticate(token);
  }

  /** Verifies a Tessera access token and that what it stands for still exists. */
  async verify(token: string): Promise<AccessTokenPayload> {
    try {
      return await this.signer.verifyAccessToken(token);
    } catch {
      throw new AccessDenied('the access token is not valid or has expired');
    }
  }

  async fromAccessToken(payload: AccessTokenPayload): Promise<Principal> {
    if (payload.sid) {
      const session = await liveSession(this.db, payload.sid);
      if (!session) throw new AccessDenied('the access token was revoked');
      if (session.state !== 'active') throw new AccessDenied(`the user is ${session.state}`);
      return { kind: 'user', subject: session.email, userId: session.user_id };
    }
    // client_credentials: a system account with its client's role.
    const client = await this.db.query<{ role: string | null }>(
      `SELECT r.name AS role FROM oauth_clients c LEFT JOIN roles r ON r.id = c.role_id
        WHERE c.id = $1 AND 'client_credentials' = ANY(c.grant_types)`,
      [payload.client_id],
    );
    if (!client.rows[0]) throw new AccessDenied('the client of this access token no longer exists');
    return { kind: 'system', subject: payload.client_id, roleNames: client.rows[0].role ? [client.rows[0].role] : [] };
  }
}
