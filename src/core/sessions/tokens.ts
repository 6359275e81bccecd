/** The tokens a session or a system client receives (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
import { Unauthenticated } from '../../kernel/errors.ts';
import type { Principal } from '../../rbac/model.ts';
import type { SigningAlg, TokenSigner } from '../../tokens/jwt.ts';
import type { UserService } from '../users/service.ts';
import type { Redeemed } from './service.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

export class TokenIssuer {
  constructor(
    private readonly signer: TokenSigner,
    private readonly users: UserService,
  ) {}

  /** Claims released in ID tokens and userinfo for the granted scopes (OIDC Core §5.4). */
  async scopedClaims(userId: string, scope: string): Promise<Record<string, unknown>> {
    const scopes = scope.split(' ');
    const email = scopes.includes('email');
    const names = scopes.includes('profile');
    if (!email && !names) return {}; // nothing to release: no read
    const profile = await this.users.profile(userId);
    if (!profile) return {};
    const { name, given_name, family_name, picture } = profile;
    return {
      ...(email ? { email: profile.email, email_verified: true } : {}),
      ...(names ? Object.fromEntries(Object.entries({ name, given_name, family_name, picture }).filter(([, v]) => v)) : {}),
    };
  }

  /** OIDC Core §5.3: the end-user's claims that the access token's scopes release; only a user's token has any. */
  async userinfo(principal: Principal): Promise<Record<string, unknown>> {
    if (principal.kind !== 'user' || principal.scope === undefined) throw new Unauthenticated('userinfo needs an access token issued to a user');
    return { sub: principal.userId, ...(await this.scopedClaims(principal.userId, principal.scope)) };
  }

  /**
   * The tokens of a redeemed session: an access token, an ID token for `openid`, and the refresh
   * token issued with the redemption, if any.
   */
  async forSession({ session, nonce, refreshToken }: Redeemed, idTokenAlg: SigningAlg): Promise<TokenResponse> {
    const accessToken = await this.signer.accessToken({ sub: session.user_id, clientId: session.client_id, scope: session.scope, sessionId: session.id });
    const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: this.signer.accessTokenTtl, scope: session.scope };
    if (session.scope.split(' ').includes('openid')) {
      response.id_token = await this.signer.idToken({
        alg: idTokenAlg,
        sub: session.user_id,
        clientId: session.client_id,
        sessionId: session.id,
        authTime: session.auth_time,
        nonce,
        accessToken,
        profile: await this.scopedClaims(session.user_id, session.scope),
      });
    }
    if (refreshToken) response.refresh_token = refreshToken;
    return response;
  }

  /** A system client's access token (client_credentials): one signature, no write. */
  async forClient(clientId: string): Promise<TokenResponse> {
    const accessToken = await this.signer.accessToken({ sub: clientId, clientId });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.signer.accessTokenTtl };
  }
}
