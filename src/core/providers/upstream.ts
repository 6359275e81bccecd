/**
 * Talking to upstream identity providers with openid-client: discovery, authorization URL
 * (PKCE S256, nonce, state), code exchange with full ID-token validation, and the mapping
 * of each provider type's claims to an upstream identity with a verified email.
 *
 * - generic OIDC (no type), `google`, `microsoft`: OpenID Connect through discovery of the
 *   configured issuer (`https://accounts.google.com`, a tenant's
 *   `https://login.microsoftonline.com/<tenant>/v2.0`, any Okta/Auth0/Keycloak issuer).
 * - `github`: OAuth 2.0 without ID tokens. Endpoints are derived from the issuer
 *   (`https://github.com`, or a GitHub Enterprise Server host with its `/api/v3`), and the
 *   identity comes from `/user` and `/user/emails` (the primary, verified address).
 */
import * as oidc from 'openid-client';
import { isLoopbackHttp } from '../../kernel/ip.ts';
import type { UpstreamIdentity } from '../users/model.ts';
import type { LoginProvider } from './model.ts';

export class UpstreamError extends Error {}

export interface UpstreamChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class UpstreamProviders {
  private readonly configs = new Map<string, { modifiedAt: number; config: Promise<oidc.Configuration> }>();

  constructor(private readonly callbackUrl: string) {}

  async authorizationUrl(provider: LoginProvider, checks: UpstreamChecks, extra: { loginHint?: string; prompt?: string; maxAge?: number }): Promise<URL> {
    const config = await this.configuration(provider).catch((error) => {
      throw new UpstreamError(`the identity provider cannot be reached: ${describe(error)}`);
    });
    const params: Record<string, string> = {
      redirect_uri: this.callbackUrl,
      scope: provider.type === 'github' ? 'read:user user:email' : 'openid email profile',
      state: checks.state,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (provider.type !== 'github') params.nonce = checks.nonce;
    if (extra.loginHint) params.login_hint = extra.loginHint;
    if (extra.prompt) params.prompt = extra.prompt;
    if (extra.maxAge !== undefined) params.max_age = String(extra.maxAge);
    return oidc.buildAuthorizationUrl(config, params);
  }

  /** Exchanges the code from `callback` and returns the identity, or throws UpstreamError. */
  async exchange(provider: LoginProvider, callback: URL, checks: UpstreamChecks): Promise<UpstreamIdentity> {
    const identity = await this.exchangeUnchecked(provider, callback, checks);
    const domain = identity.email.split('@').pop()!.toLowerCase();
    if (provider.vouchesFor !== null && domain !== provider.vouchesFor.toLowerCase()) {
      throw new UpstreamError(`this organization's identity provider may only sign in ${provider.vouchesFor || 'its own'} addresses`);
    }
    return identity;
  }

  private async exchangeUnchecked(provider: LoginProvider, callback: URL, checks: UpstreamChecks): Promise<UpstreamIdentity> {
    let config: oidc.Configuration;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      config = await this.configuration(provider);
      tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        ...(provider.type === 'github' ? {} : { expectedNonce: checks.nonce }),
        idTokenExpected: provider.type !== 'github',
      });
    } catch (error) {
      throw new UpstreamError(`the identity provider's answer was refused: ${describe(error)}`);
    }
    if (provider.type === 'github') return this.githubIdentity(provider, tokens.access_token);
    let claims: Record<string, unknown> & { iss: string; sub: string } = tokens.claims()!;
    if (typeof claims.email !== 'string' && config.serverMetadata().userinfo_endpoint) {
      // OIDC Core §5.4: scope claims may come from userinfo rather than the ID token.
      try {
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      } catch (error) {
        throw new UpstreamError(`the identity provider's userinfo was refused: ${(error as Error).message}`);
      }
    }
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    // Microsoft marks a verified email with xms_edov instead of email_verified.
    const verified = claims.email_verified === true || (provider.type === 'microsoft' && claims.xms_edov === true);
    if (!email) throw new UpstreamError('the identity provider did not share an email address');
    if (!verified) throw new UpstreamError('the identity provider has not verified this email address');
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      name: str(claims.name),
      givenName: str(claims.given_name),
      familyName: str(claims.family_name),
      picture: str(claims.picture),
    };
  }

  private configuration(provider: LoginProvider): Promise<oidc.Configuration> {
    const cached = this.configs.get(provider.id);
    if (cached && cached.modifiedAt === provider.modifiedAt) return cached.config;
    const issuer = new URL(provider.issuer);
    const execute = isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [];
    const config =
      provider.type === 'github'
        ? Promise.resolve(
            new oidc.Configuration(
              {
                issuer: provider.issuer,
                authorization_endpoint: new URL('/login/oauth/authorize', issuer).href,
                token_endpoint: new URL('/login/oauth/access_token', issuer).href,
              },
              provider.clientId,
              provider.clientSecret,
            ),
          ).then((c) => {
            for (const fn of execute) fn(c);
            return c;
          })
        : oidc.discovery(issuer, provider.clientId, provider.clientSecret, undefined, { execute });
    config.catch(() => this.configs.delete(provider.id)); // retry discovery next time
    this.configs.set(provider.id, { modifiedAt: provider.modifiedAt, config });
    return config;
  }

  private async githubIdentity(provider: LoginProvider, accessToken: string): Promise<UpstreamIdentity> {
    const issuer = new URL(provider.issuer);
    const api = issuer.hostname === 'github.com' ? 'https://api.github.com' : new URL('/api/v3', issuer).href;
    const get = async (path: string) => {
      const response = await fetch(`${api}${path}`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'tessera' },
      });
      if (!response.ok) throw new UpstreamError(`GitHub answered ${response.status} for ${path}`);
      return (await response.json()) as unknown;
    };
    const user = (await get('/user')) as Record<string, unknown>;
    const emails = (await get('/user/emails')) as { email: string; primary: boolean; verified: boolean }[];
    const primary = emails.find((e) => e.primary);
    if (!primary) throw new UpstreamError('the GitHub account has no primary email address');
    if (!primary.verified) throw new UpstreamError('the identity provider has not verified this email address');
    return {
      issuer: provider.issuer,
      subject: String(user.id),
      email: primary.email,
      name: str(user.name) ?? str(user.login),
      picture: str(user.avatar_url),
    };
  }
}

/** openid-client wraps the precise reason (e.g. which claim failed) in `cause`. */
function describe(error: unknown): string {
  const { message, cause } = error as Error & { cause?: { message?: string } };
  return cause?.message && cause.message !== message ? `${message} (${cause.message})` : message;
}

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
