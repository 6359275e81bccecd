import assert from 'node:assert/strict';
import { it } from 'node:test';
import { suite } from './helpers.ts';

/** Every /api/v1 path and method of the Identity API 1.4.0 except signup, plus Tessera's additions. */
const identityApi = {
  '/api/v1/oauth2providers': ['get'],
  '/api/v1/acl': ['get'],
  '/api/v1/organizations': ['get', 'post'],
  '/api/v1/organizations/{organizationID}': ['get', 'put', 'delete'],
  '/api/v1/organizations/{organizationID}/acl': ['get'],
  '/api/v1/organizations/{organizationID}/serviceaccounts': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/serviceaccounts/{serviceAccountID}': ['put', 'delete'],
  '/api/v1/organizations/{organizationID}/serviceaccounts/{serviceAccountID}/rotate': ['post'],
  '/api/v1/organizations/{organizationID}/users': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/users/{userID}': ['put', 'delete'],
  '/api/v1/organizations/{organizationID}/roles': ['get'],
  '/api/v1/organizations/{organizationID}/oauth2providers': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/oauth2providers/{providerID}': ['put', 'delete'],
  '/api/v1/organizations/{organizationID}/groups': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/groups/{groupid}': ['get', 'put', 'delete'],
  '/api/v1/organizations/{organizationID}/projects': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/projects/{projectID}': ['get', 'put', 'delete'],
  '/api/v1/organizations/{organizationID}/quotas': ['get', 'put'],
  '/api/v1/organizations/{organizationID}/allocations': ['get'],
  '/api/v1/organizations/{organizationID}/projects/{projectID}/allocations': ['post'],
  '/api/v1/organizations/{organizationID}/projects/{projectID}/allocations/{allocationID}': ['get', 'put', 'delete'],
};
/** The login and token endpoints of the Identity API 1.4.0 (OAuth 2.0 / OpenID Connect). */
const oidc = {
  '/.well-known/openid-configuration': ['get'],
  '/oauth2/v2/authorization': ['get', 'post'],
  '/oauth2/v2/token': ['post'],
  '/oauth2/v2/login': ['post'],
  '/oauth2/v2/onboard': ['post'],
  '/oauth2/v2/userinfo': ['get', 'post'],
  '/oauth2/v2/jwks': ['get'],
  '/oidc/callback': ['get'],
  '/api/v1/signup': ['get'],
};
const additions = {
  '/oauth2/v2/introspect': ['post'],
  '/oauth2/v2/revoke': ['post'],
  '/oauth2/v2/logout': ['get', 'post'],
  '/api/v1/oauth2clients': ['get', 'post'],
  '/api/v1/oauth2clients/{clientID}': ['get', 'put', 'delete'],
  '/api/v1/oauth2providers': ['post'],
  '/api/v1/oauth2providers/{providerID}': ['put', 'delete'],
  '/api/v1/organizations/{organizationID}/serviceaccounts/{serviceAccountID}': ['get'],
  '/api/v1/organizations/{organizationID}/users/{userID}': ['get'],
  '/api/v1/organizations/{organizationID}/apitokens': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/apitokens/{apitokenID}': ['delete', 'get', 'put'],
  '/api/v1/organizations/{organizationID}/apitokens/{apitokenID}/rotate': ['post'],
  '/api/v1/organizations/{organizationID}/apitokenpolicy': ['get', 'put'],
  '/api/v1/organizations/{organizationID}/auditlogs': ['get'],
  '/api/v1/auditlogs': ['get'],
  '/v2/orgs/{name}/access-tokens': ['get', 'post'],
  '/v2/orgs/{org_name}/access-tokens/{access_token_id}': ['delete', 'get', 'patch'],
  '/v2/auth/token': ['post'],
  '/api/v1/orgs/{org_id}/apitokens': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/oidcclaims': ['delete', 'get', 'patch'],
  '/api/v1/organizations/{organizationID}/projects/{projectID}/oidcclaims': ['delete', 'get', 'patch'],
  '/api/v2/org/{orgID}/oidc-custom-claims': ['delete', 'get', 'patch'],
  '/api/v1/organizations/{organizationID}/projects/{projectID}/workloadtokens': ['post'],
  '/org/{organizationID}/.well-known/openid-configuration': ['get'],
  '/api/v1/organizations/{organizationID}/serviceaccounts/{serviceAccountID}/trustpolicies': ['get', 'post'],
  '/api/v1/organizations/{organizationID}/serviceaccounts/{serviceAccountID}/trustpolicies/{policyID}': ['delete', 'get'],
  '/api/v2/org/{orgID}/project/{projectID}/oidc-custom-claims': ['delete', 'get', 'patch'],
  '/api/v1/orgs/{org_id}/apitokens/{apitoken_id}': ['delete', 'get', 'put'],
  '/api/v1/signingkeys': ['get'],
  '/api/v1/signingkeys/rotate': ['post'],
  '/healthz': ['get'],
  '/readyz': ['get'],
};

suite('openapi document', (ctx) => {
  it('marks a request body optional exactly where the endpoint takes none (no body, not null)', async () => {
    const { paths } = (await ctx().anonymous.get('/openapi.json')).body;
    const optional: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, { requestBody?: { required?: boolean } }>>(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.requestBody && operation.requestBody.required !== true) optional.push(`${method} ${path}`);
        assert.ok(!('x-optional-body' in operation), 'the marker does not leak into the document');
      }
    }
    assert.deepEqual(optional.sort(), [
      'patch /api/v2/org/{orgID}/oidc-custom-claims',
      'patch /api/v2/org/{orgID}/project/{projectID}/oidc-custom-claims',
      'post /api/v1/organizations/{organizationID}/apitokens/{apitokenID}/rotate',
      'post /api/v1/organizations/{organizationID}/projects/{projectID}/workloadtokens',
    ]);
  });

  it('is OpenAPI 3.1 and lists every path and method of the Identity API 1.4.0', async () => {
    const res = await ctx().anonymous.get('/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const served = Object.fromEntries(Object.entries<Record<string, unknown>>(res.body.paths).map(([path, ops]) => [path, Object.keys(ops).sort()]));
    const expected: Record<string, string[]> = {};
    for (const table of [identityApi, oidc, additions]) {
      for (const [path, methods] of Object.entries(table)) expected[path] = [...(expected[path] ?? []), ...methods].sort();
    }
    assert.deepEqual(served, expected);
  });

  it('documents the same schemas that validate requests, and bearer security', async () => {
    const doc = (await ctx().anonymous.get('/openapi.json')).body;
    const create = doc.paths['/api/v1/organizations/{organizationID}/groups'].post;
    assert.equal(create.operationId, 'createGroup');
    assert.deepEqual(create.security, [{ bearer: [] }]);
    const schema = create.requestBody.content['application/json'].schema;
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.metadata.properties.name.pattern, '^[0-9A-Za-z](?:[0-9A-Za-z-_.]{0,61}[0-9A-Za-z])?$');
    assert.deepEqual(schema.required, ['metadata', 'spec']);
    assert.deepEqual(Object.keys(create.responses).sort(), ['201', '400', '401', '403', '404', '409', '500']);
    assert.deepEqual(doc.components.securitySchemes, { bearer: { type: 'http', scheme: 'bearer' } });
    const orgType = doc.paths['/api/v1/organizations'].post.requestBody.content['application/json'].schema.properties.spec.properties.organizationType;
    assert.deepEqual(orgType.enum, ['adhoc', 'domain']);
  });

  it('serves health and readiness', async () => {
    assert.deepEqual((await ctx().anonymous.get('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await ctx().anonymous.get('/readyz')).body, { status: 'ready' });
  });
});
