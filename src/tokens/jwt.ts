/**
 * Tessera's own JWTs, signed with `kid` from the key ring: access tokens ES256, ID tokens in
 * the algorithm each client registered (RS256 by default, ES256 on request):
 * - access tokens per RFC 9068 (`typ: at+jwt`; iss, sub, aud, exp, iat, jti, client_id,
 *   scope; `sid` ties a user's token to its session so revocation is immediate);
 * - ID tokens per OpenID Connect Core §2 (nonce, auth_time, at_hash, azp, sid and the
 *   email/profile claims that the granted scopes allow).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, decodeProtectedHeader, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/** The JWS algorithms Tessera signs with (RFC 7518 §3.1); RS256 is what OIDC Discovery §3 requires. */
export const signingAlgs = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof signingAlgs)[number];

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
}

/** Where signing and verification keys come from (the key ring of src/core/keys). */
export interface SigningKeys {
  signingKey(alg?: SigningAlg): Promise<SigningKey>;
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
}

export interface AccessTokenClaims {
  sub: string;
  clientId: string;
  /** Space-separated; left out of the token when empty (no `scope: ""`). */
  scope?: string;
  sessionId?: string;
  /** An API token exchanged for this JWT (a vendor face's login): it stands for that token. */
  apiTokenId?: string;
  /** A service account this JWT was exchanged for (RFC 8693 token exchange). */
  serviceAccount?: { id: string; organizationId: string };
  /** Shorter than the configured access-token lifetime, e.g. Docker Hub's 10 minutes. */
  ttlSeconds?: number;
}

export interface AccessTokenPayload extends JWTPayload {
  sub: string;
  client_id: string;
  scope?: string;
  sid?: string;
  /** The API token this JWT was exchanged for. */
  oat?: string;
  /** The service account (and its organization) this JWT was exchanged for. */
  sa?: string;
  org?: string;
}

export interface IdTokenClaims {
  /** The client's id_token_signed_response_alg. */
  alg: SigningAlg;
  sub: string;
  clientId: string;
  sessionId: string;
  authTime: Date;
  nonce?: string;
  accessToken: string;
  profile: Record<string, unknown>;
}

/** OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

export class TokenSigner {
  constructor(
    private readonly keyRing: SigningKeys,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {}

  get accessTokenTtl(): number {
    return this.ttlSeconds;
  }

  async accessToken(claims: AccessTokenClaims): Promise<string> {
    const key = await this.keyRing.signingKey();
    return new SignJWT({
      client_id: claims.clientId,
      ...(claims.scope ? { scope: claims.scope } : {}),
      ...(claims.sessionId ? { sid: claims.sessionId } : {}),
      ...(claims.apiTokenId ? { oat: claims.apiTokenId } : {}),
      ...(claims.serviceAccount ? { sa: claims.serviceAccount.id, org: claims.serviceAccount.organizationId } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setSubject(claims.sub)
      .setAudience(this.issuer)
      .setIssuedAt()
      .setExpirationTime(`${Math.min(claims.ttlSeconds ?? this.ttlSeconds, this.ttlSeconds)}s`)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  async idToken(claims: IdTokenClaims): Promise<string> {
    const key = await this.keyRing.signingKey(claims.alg);
    return new SignJWT({
      ...claims.profile,
      auth_time: Math.floor(claims.authTime.getTime() / 1000),
      ...(claims.nonce ? { nonce: claims.nonce } : {}),
      at_hash: atHash(claims.accessToken),
      azp: claims.clientId,
      sid: claims.sessionId,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(claims.sub)
      .setAudience(claims.clientId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(key.privateKey);
  }

  /**
   * A workload identity token (docs/workload-identity.md): an OpenID Connect ID token of the
   * organization's own issuer, ES256 with `typ: JWT`, for an outside verifier.
   */
  async workloadToken(claims: { issuer: string; subject: string; audience: string[]; ttlSeconds: number; extra: Record<string, unknown> }): Promise<string> {
    const key = await this.keyRing.signingKey('ES256');
    const jwt = new SignJWT(claims.extra)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(claims.issuer)
      .setSubject(claims.subject)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${claims.ttlSeconds}s`)
      .setJti(randomUUID());
    if (claims.audience.length) jwt.setAudience(claims.audience.length === 1 ? claims.audience[0]! : claims.audience);
    return jwt.sign(key.privateKey);
  }

  /** Verifies signature, type, issuer, audience and expiry; throws on any failure. */
  async verifyAccessToken(token: string): Promise<AccessTokenPayload> {
    const { payload } = await jwtVerify<AccessTokenPayload>(token, (header) => this.key(header.kid), {
      issuer: this.issuer,
      audience: this.issuer,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    return payload;
  }

  /**
   * An ID token we issued, for `id_token_hint` (OIDC RP-Initiated Logout §2): signature and
   * issuer must hold; an expired hint is still acceptable.
   */
  async verifyIdTokenHint(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, (header) => this.key(header.kid), {
      issuer: this.issuer,
      typ: 'JWT', // an access token (at+jwt) is no hint
      algorithms: [...signingAlgs],
      // Judge it as of just before its own expiry: only signature and issuer must hold.
      currentDate: new Date(decodeExp(token) * 1000 - 1000),
    });
    return payload;
  }

  private async key(kid: string | undefined) {
    const key = kid ? await this.keyRing.verificationKey(kid) : undefined;
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  }
}

function decodeExp(token: string): number {
  decodeProtectedHeader(token); // throws on a malformed token
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
  return typeof payload.exp === 'number' ? payload.exp : Math.floor(Date.now() / 1000);
}

export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
