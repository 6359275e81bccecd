/**
 * A real upstream OpenID provider for tests: the `oidc-provider` package on loopback, with
 * test users. Logins go through its own interaction pages (any password works).
 */
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from '../helpers.ts';

export interface TestUser {
  email: string;
  emailVerified?: boolean;
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

export async function startUpstream(tesseraCallback: string, options: { issuerPath?: string; extraClaims?: (login: string) => Record<string, unknown> } = {}): Promise<Upstream> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}${options.issuerPath ?? ''}`;
  const users = new Map<string, TestUser>();
  const clientId = 'tessera';
  const clientSecret = 'upstream-client-secret';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [tesseraCallback], response_types: ['code'], grant_types: ['authorization_code'] }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'], xms: ['xms_edov', 'tid'] },
    cookies: { keys: ['upstream-test-cookie-key'] },
    findAccount: async (_ctx, login) => ({
      accountId: login,
      claims: async () => {
        const user = users.get(login) ?? { email: `${login}@example.com` };
        return {
          sub: `upstream-${login}`,
          email: user.email,
          email_verified: user.emailVerified ?? true,
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
      grant.addOIDCClaims(['xms_edov', 'tid']);
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
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
