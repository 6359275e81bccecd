/** Trust policies of a service account: whose tokens it accepts in exchange (docs/workload-identity.md). */
import { Type } from '@sinclair/typebox';
import type { TrustPolicyRecord } from '../../../core/trustpolicies/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, Id, withOrganization } from '../schemas.ts';

const tags = ['serviceaccounts'];
const base = '/api/v1/organizations/:organizationID/serviceaccounts/:serviceAccountID/trustpolicies';
const access = (op: Operation) => requires('organization', 'identity:serviceaccounts', op, inOrganization);

const PolicyWrite = Type.Object(
  {
    issuer: Type.String({ format: 'uri', maxLength: 2048, description: "The issuer's URL (https; its discovery document gives the JWKS)." }),
    audiences: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, maxItems: 10 }),
    subjectPattern: Type.String({ minLength: 1, maxLength: 512, description: 'A glob on `sub`: `*` any characters, `?` one.' }),
    requiredClaims: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.Union([Type.String({ maxLength: 512 }), Type.Number(), Type.Boolean()]))),
  },
  { additionalProperties: false },
);
const PolicyRead = Type.Object({
  id: Type.String(),
  issuer: Type.String(),
  audiences: Type.Array(Type.String()),
  subjectPattern: Type.String(),
  requiredClaims: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  creationTime: Type.String({ format: 'date-time' }),
});
const AccountParams = withOrganization({ serviceAccountID: Id });
const PolicyParams = withOrganization({ serviceAccountID: Id, policyID: Id });

const policyToWire = (p: TrustPolicyRecord) => ({
  id: p.id,
  issuer: p.issuer,
  audiences: p.audiences,
  subjectPattern: p.subject_pattern,
  requiredClaims: p.required_claims,
  creationTime: p.created_at.toISOString(),
});

export const trustPolicyRoutes: RouteModule = (app, { core: { trustPolicies } }) => {
  app.get(base, {
    schema: { operationId: 'listTrustPolicies', tags, params: AccountParams, response: { 200: Type.Array(PolicyRead), ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => (await trustPolicies.list(req.params.organizationID, req.params.serviceAccountID)).map(policyToWire),
  });
  app.post(base, {
    schema: { operationId: 'createTrustPolicy', tags, params: AccountParams, body: PolicyWrite, response: { 201: PolicyRead, ...errorResponses(404) } },
    config: access('update'),
    handler: async (req, reply) => {
      const policy = await trustPolicies.create(req.caller, req.params.organizationID, req.params.serviceAccountID, req.body);
      return reply.status(201).send(policyToWire(policy));
    },
  });
  app.get(`${base}/:policyID`, {
    schema: { operationId: 'getTrustPolicy', tags, params: PolicyParams, response: { 200: PolicyRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => policyToWire(await trustPolicies.get(req.params.organizationID, req.params.serviceAccountID, req.params.policyID)),
  });
  app.delete(`${base}/:policyID`, {
    schema: { operationId: 'deleteTrustPolicy', tags, params: PolicyParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('update'),
    handler: async (req, reply) => {
      await trustPolicies.delete(req.caller, req.params.organizationID, req.params.serviceAccountID, req.params.policyID);
      return reply.send();
    },
  });
};
