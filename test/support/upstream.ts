/**
 * A real upstream OpenID provider for tests: the `oidc-provider` package on loopback, with
 * test users. Logins go through its own interaction pages (any password works).
 */
import { createServer, type Server } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type ProviderClass from 'oidc-provider';

/**
 * oidc-provider warns once per process, at import, that Node.js 20 is not a runtime it
 * supports (it asks for 22 LTS or later). Known and harmless here: it is a test peer on
 * loopback, and the suites pass on it. That one line is kept out of the test output; any
 * other warning still shows.
 */
async function importQuietly(): Promise<typeof ProviderClass> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime'))) warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}
const Provider = await importQuietly();

import { freePort } from './client.ts';

export interface TestUser {
  email: string;
  /** null: the claim is left out (as Microsoft does). */
  emailVerified?: boolean | null;
  name?: string;
  givenName?: string;
  familyName?: string;
}

export interface Upstream {
  issuer: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, TestUser>;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  issuerPath?: string;
  extraClaims?: (login: string) => Record<string, unknown>;
  /**
   * Rewrites the claims of issued ID tokens and re-signs them with the upstream's own key:
   * a correctly signed token with wrong claims, as a compromised upstream or proxy would send.
   */
  tamperIdToken?: (claims: Record<string, unknown>) => Record<string, unknown> | undefined;
}

export async function startUpstream(tesseraCallback: string, options: UpstreamOptions = {}): Promise<Upstream> {
  const port = await freePort();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: 'upstream-test-key', alg: 'RS256', use: 'sig' };
  const issuer = `http://127.0.0.1:${port}${options.issuerPath ?? ''}`;
  const users = new Map<string, TestUser>();
  const clientId = 'tessera';
  const clientSecret = 'upstream-client-secret';
  const provider = new Provider(issuer, {
    clients: [
      { client_id: clientId, client_secret: clientSecret, redirect_uris: [tesseraCallback], response_types: ['code'], grant_types: ['authorization_code'] },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name', 'given_name', 'family_name'] },
    cookies: { keys: ['upstream-test-cookie-key'] },
    jwks: { keys: [signingJwk] },
    findAccount: async (_ctx, login) => ({
      accountId: login,
      claims: async () => {
        const user = users.get(login) ?? { email: `${login}@example.com` };
        return {
          sub: login,
          email: user.email,
          ...(user.emailVerified === null ? {} : { email_verified: user.emailVerified ?? true }),
          name: user.name,
          given_name: user.givenName,
          family_name: user.familyName,
          ...(options.extraClaims?.(login) ?? {}),
        };
      },
    }),
    // First-party test client: consent is implied.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
  });
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    if (options.tamperIdToken && ctx.path.endsWith('/token') && ctx.body?.id_token) {
      const claims = decodeJwt(ctx.body.id_token) as Record<string, unknown>;
      const changed = options.tamperIdToken(claims);
      if (changed) {
        ctx.body = {
          ...ctx.body,
          id_token: await new SignJWT(changed).setProtectedHeader({ alg: 'RS256', kid: 'upstream-test-key' }).sign(privateKey),
        };
      }
    }
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    users,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
