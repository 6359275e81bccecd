/** Custom claims of workload identity tokens, in the Identity API's style (docs/workload-identity.md). */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { type ClaimName, type ClaimsRecord, formatDuration } from '../../../core/oidcclaims/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { errorResponses, inOrganization, inProject, type RouteModule, requires } from '../routing.ts';
import { OrganizationParams, withOrganization } from '../schemas.ts';

const tags = ['oidcclaims'];
const Duration = Type.String({
  pattern: '^([0-9]+(ms|s|m|h|d|w)){1,7}$',
  description: 'a duration such as 1h, 30m or 1h30m (1 minute to TESSERA_WORKLOAD_TOKEN_MAX_TTL)',
});
const ClaimsPatch = Type.Object(
  {
    audience: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 10, description: 'An empty list is a value: no audience.' })),
    ttl: Type.Optional(Duration),
  },
  { additionalProperties: false },
);
const ClaimsRead = Type.Object({
  organizationId: Type.String(),
  projectId: Type.Optional(Type.String()),
  audience: Type.Optional(Type.Array(Type.String())),
  audienceUpdatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  ttl: Type.Optional(Type.String()),
  ttlUpdatedAt: Type.Optional(Type.String({ format: 'date-time' })),
});
const ResetQuery = Type.Object(
  { claims: Type.String({ pattern: '^(audience|ttl)(,(audience|ttl))?$', description: 'the claims to reset: audience, ttl or both (audience,ttl)' }) },
  { additionalProperties: false },
);
const ProjectParams = withOrganization({ projectID: Type.String({ format: 'uuid' }) });

const claimsToWire = (row: ClaimsRecord) => ({
  organizationId: row.organization_id,
  ...(row.project_id ? { projectId: row.project_id } : {}),
  ...(row.audience ? { audience: row.audience } : {}),
  ...(row.audience_updated_at ? { audienceUpdatedAt: row.audience_updated_at.toISOString() } : {}),
  ...(row.ttl_ms ? { ttl: formatDuration(row.ttl_ms) } : {}),
  ...(row.ttl_updated_at ? { ttlUpdatedAt: row.ttl_updated_at.toISOString() } : {}),
});

export const oidcClaimRoutes: RouteModule = (app, { core: { oidcClaims } }) => {
  const scopes = [
    { path: '/api/v1/organizations/:organizationID/oidcclaims', params: OrganizationParams, level: 'organization' as const, where: inOrganization },
    { path: '/api/v1/organizations/:organizationID/projects/:projectID/oidcclaims', params: ProjectParams, level: 'project' as const, where: inProject },
  ];
  for (const { path, params, level, where } of scopes) {
    const access = (op: Operation) => requires(level, 'identity:oidcclaims', op, where);
    const scope = (req: FastifyRequest) => {
      const p = req.params as { organizationID: string; projectID?: string };
      return [p.organizationID, p.projectID ?? null] as const;
    };
    const suffix = level === 'project' ? 'Project' : 'Organization';
    app.get(path, {
      schema: { operationId: `get${suffix}OidcClaims`, tags, params, response: { 200: ClaimsRead, ...errorResponses(404) } },
      config: access('read'),
      handler: async (req) => claimsToWire(await oidcClaims.get(...scope(req))),
    });
    app.patch(path, {
      schema: { operationId: `patch${suffix}OidcClaims`, tags, params, body: ClaimsPatch, response: { 200: ClaimsRead, ...errorResponses(404) } },
      config: access('update'),
      handler: async (req) => claimsToWire(await oidcClaims.patch(req.caller, ...scope(req), req.body as { audience?: string[]; ttl?: string })),
    });
    app.delete(path, {
      schema: { operationId: `reset${suffix}OidcClaims`, tags, params, querystring: ResetQuery, response: { 200: ClaimsRead, ...errorResponses(404) } },
      config: access('delete'),
      handler: async (req) => {
        const claims = [...new Set((req.query as { claims: string }).claims.split(','))] as ClaimName[];
        return claimsToWire(await oidcClaims.reset(req.caller, ...scope(req), claims));
      },
    });
  }
};
