/** The token response for a user session (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
import type { Queryable } from '../db/db.ts';
import { generateSecret, type SecretHasher } from '../tokens/secrets.ts';
import type { TokenSigner } from '../tokens/jwt.ts';
import * as store from './store.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** Claims released in ID tokens and userinfo for the granted scopes (OIDC Core §5.4). */
export async function scopedClaims(db: Queryable, userId: string, scope: string): Promise<Record<string, unknown>> {
  const scopes = scope.split(' ');
  const profile = await store.userProfile(db, userId);
  if (!profile) return {};
  return {
    ...(scopes.includes('email') ? { email: profile.email, email_verified: true } : {}),
    ...(scopes.includes('profile')
      ? Object.fromEntries(
          Object.entries({ name: profile.name, given_name: profile.given_name, family_name: profile.family_name, picture: profile.picture })
            .filter(([, v]) => v),
        )
      : {}),
  };
}

export async function issueSessionTokens(
  deps: { db: Queryable; signer: TokenSigner; hasher: SecretHasher; refreshTokenTtl: number },
  session: store.SessionRow,
  options: { nonce?: string; refresh: boolean },
): Promise<TokenResponse> {
  const accessToken = await deps.signer.accessToken({ sub: session.user_id, clientId: session.client_id, scope: session.scope, sessionId: session.id });
  const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: deps.signer.accessTokenTtl, scope: session.scope };
  if (session.scope.split(' ').includes('openid')) {
    response.id_token = await deps.signer.idToken({
      sub: session.user_id,
      clientId: session.client_id,
      sessionId: session.id,
      authTime: session.auth_time,
      nonce: options.nonce,
      accessToken,
      profile: await scopedClaims(deps.db, session.user_id, session.scope),
    });
  }
  if (options.refresh) {
    const refreshToken = generateSecret('rft');
    await store.insertRefreshToken(deps.db, deps.hasher.hash(refreshToken), session.id, deps.refreshTokenTtl);
    response.refresh_token = refreshToken;
  }
  return response;
}
