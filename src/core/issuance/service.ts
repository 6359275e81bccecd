/**
 * The one issuer: every JWT Tessera signs is made here, through the signer and its key ring:
 * access and ID tokens of sessions (RFC 6749 §5.1, OIDC Core §3.1.3.3), system clients' access
 * tokens (client_credentials), service accounts' access tokens bought by token exchange (RFC
 * 8693), the short access tokens a vendor face's login gives for an API token (Docker Hub's),
 * and workload identity tokens. It decides their claims and lifetimes (the signer adds `iss`,
 * `iat`, `exp` and a fresh `jti`), tells the observers what it issued (the metric), and reads
 * back its own ID tokens (`id_token_hint`). Grants decide whether a token is due; this says what
 * it is.
 */
import type { JWTPayload } from 'jose';
import { Unauthenticated } from '../../kernel/errors.ts';
import type { Principal } from '../../rbac/model.ts';
import type { SigningAlg, TokenSigner } from '../../tokens/jwt.ts';
import type { Redeemed } from '../sessions/service.ts';
import type { UserService } from '../users/service.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  /** RFC 8693 §2.2.1, for exchanged tokens. */
  issued_token_type?: string;
}

/** What was issued, for observers (the `tessera_tokens_issued_total{grant}` metric). */
export type IssuedListener = (grant: string) => void;

export class TokenIssuance {
  private readonly listeners: IssuedListener[] = [];

  constructor(
    private readonly signer: TokenSigner,
    private readonly users: Pick<UserService, 'profile'>,
  ) {}

  /** Adds an observer of every issuance (the app's metrics). */
  onIssued(listener: IssuedListener): void {
    this.listeners.push(listener);
  }

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
   * The tokens of a redeemed session (`grant`: the grant that redeemed it): an access token, an
   * ID token for `openid`, and the refresh token issued with the redemption, if any.
   */
  async forSession({ session, nonce, refreshToken }: Redeemed, idTokenAlg: SigningAlg, grant: string): Promise<TokenResponse> {
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
    return this.issued(grant, response);
  }

  /** A system client's access token (client_credentials): one signature, no write. */
  async forClient(clientId: string, grant: string): Promise<TokenResponse> {
    const accessToken = await this.signer.accessToken({ sub: clientId, clientId });
    return this.issued(grant, { access_token: accessToken, token_type: 'Bearer', expires_in: this.signer.accessTokenTtl });
  }

  /**
   * RFC 8693 §2.2.1: a service account's access token for an accepted subject token, for at most
   * what is left of the subject token's life (the trust policy's exchange computed it).
   */
  async forExchange(
    exchanged: { serviceAccountId: string; organizationId: string; policyId: string; ttlSeconds: number },
    grant: string,
  ): Promise<TokenResponse> {
    const accessToken = await this.signer.accessToken({
      sub: exchanged.serviceAccountId,
      clientId: `trustpolicy:${exchanged.policyId}`,
      serviceAccount: { id: exchanged.serviceAccountId, organizationId: exchanged.organizationId },
      ttlSeconds: exchanged.ttlSeconds,
    });
    return this.issued(grant, {
      access_token: accessToken,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: exchanged.ttlSeconds,
    });
  }

  /** A short access token that stands for an API token (a vendor face's login, e.g. Docker Hub's `/v2/auth/token`). */
  async forApiToken(principal: Extract<Principal, { kind: 'api_token' }>, ttlSeconds: number, grant: string): Promise<TokenResponse> {
    const accessToken = await this.signer.accessToken({ sub: principal.subject, clientId: principal.subject, apiTokenId: principal.apiTokenId, ttlSeconds });
    return this.issued(grant, { access_token: accessToken, token_type: 'Bearer', expires_in: Math.min(ttlSeconds, this.signer.accessTokenTtl) });
  }

  /** Workload identity tokens (one per subject, signed at once), of an organization's issuer. */
  async workloadTokens<const Subjects extends readonly string[]>(
    common: { issuer: string; audience: string[]; ttlSeconds: number; extra: Record<string, unknown> },
    subjects: Subjects,
  ): Promise<{ -readonly [K in keyof Subjects]: string }> {
    // All signatures at once: each is made on libuv's threads, so none waits for another.
    const tokens = await Promise.all(subjects.map((subject) => this.signer.workloadToken({ ...common, subject })));
    this.notify('workload');
    return tokens as { -readonly [K in keyof Subjects]: string }; // one token per subject, in order
  }

  /** An ID token this issuer signed, given back as `id_token_hint` (expired ones included). */
  verifyIdTokenHint(token: string): Promise<JWTPayload> {
    return this.signer.verifyIdTokenHint(token);
  }

  private issued(grant: string, response: TokenResponse): TokenResponse {
    this.notify(grant);
    return response;
  }

  private notify(grant: string): void {
    for (const listener of this.listeners) listener(grant);
  }
}
