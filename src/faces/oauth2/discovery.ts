import { Type } from '@sinclair/typebox';
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { NotFound } from '../../kernel/errors.ts';
import { isUuid } from '../../kernel/ids.ts';
import { signingAlgs } from '../../tokens/jwt.ts';
import { grants } from './token.ts';

/** OpenID Connect Discovery 1.0 §3: every field of the Identity API's schema, and only what works. */
export function openidConfiguration(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/v2/authorization`,
    token_endpoint: `${issuer}/oauth2/v2/token`,
    userinfo_endpoint: `${issuer}/oauth2/v2/userinfo`,
    jwks_uri: `${issuer}/oauth2/v2/jwks`,
    introspection_endpoint: `${issuer}/oauth2/v2/introspect`,
    revocation_endpoint: `${issuer}/oauth2/v2/revoke`,
    end_session_endpoint: `${issuer}/oauth2/v2/logout`,
    scopes_supported: ['openid', 'email', 'profile'],
    // Only values of the Identity API's `claim` enum, which generated clients check; ID tokens
    // also carry the protocol claims (auth_time, nonce, at_hash, azp, sid) that Discovery
    // §3 does not ask to list.
    claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...grants.keys()],
    subject_types_supported: ['public'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    id_token_signing_alg_values_supported: [...signingAlgs],
    code_challenge_methods_supported: ['S256'],
    // `consent` is accepted but not advertised: clients are first-party, registered by platform
    // administrators, and there is no consent screen (docs/oidc.md).
    prompt_values_supported: ['none', 'login', 'select_account'],
    authorization_response_iss_parameter_supported: true,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/**
 * An organization's workload-token issuer (docs/workload-identity.md): ID tokens only,
 * verified with the shared JWKS. There is no authorization endpoint: tokens are minted for
 * workloads by the API, so the document lists only what a verifier needs.
 */
function workloadIssuerConfiguration(issuer: string, organizationIssuer: string) {
  return {
    issuer: organizationIssuer,
    jwks_uri: `${issuer}/oauth2/v2/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'],
  };
}

export const discoveryRoutes: RouteModule = (app, { core: { config, keyRing, organizations, workloadTokens } }) => {
  app.get('/org/:organizationID/.well-known/openid-configuration', {
    config: { access: publicAccess },
    schema: { operationId: 'organizationOpenidConfiguration', tags: ['oidc'], params: Type.Object({ organizationID: Type.String({ maxLength: 64 }) }) },
    handler: async (req, reply) => {
      const id = req.params.organizationID;
      const state = isUuid(id) ? await organizations.state(id) : undefined;
      if (!state || state.deleting) throw new NotFound('there is no such organization');
      await keyRing.ensureKeys();
      return reply.header('cache-control', 'public, max-age=300').send(workloadIssuerConfiguration(config.issuer, workloadTokens.issuerOf(id)));
    },
  });
  app.get('/.well-known/openid-configuration', {
    config: { access: publicAccess },
    schema: { operationId: 'openidConfiguration', tags: ['oidc'] },
    handler: async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(openidConfiguration(config.issuer)),
  });
  app.get('/oauth2/v2/jwks', {
    config: { access: publicAccess },
    schema: { operationId: 'jwks', tags: ['oidc'] },
    handler: async (_req, reply) => {
      await keyRing.ensureKeys(); // a new installation publishes its first keys here
      return reply.header('cache-control', 'no-cache').send(await keyRing.jwks());
    },
  });
};
