import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { type ClaimName, type ClaimsRecord, formatDuration } from '../../core/oidcclaims/service.ts';
import { callers, fromParam, permission } from '../../http/access.ts';
import { optionalBody } from '../../http/body-parsers.ts';
import type { RouteModule } from '../../http/faces.ts';
import { InvalidRequest } from '../../kernel/errors.ts';
import type { Operation } from '../../rbac/model.ts';

const tags = ['circleci'];
const Uuid = Type.String({ format: 'uuid' });
const PatchClaimsRequest = Type.Object(
  {
    audience: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 10 })),
    ttl: Type.Optional(Type.String({ pattern: '^([0-9]+(ms|s|m|h|d|w)){1,7}$', description: 'a duration such as 1h, 30m or 1h30m (units ms, s, m, h, d, w)' })),
  },
  { additionalProperties: false },
);
const DeleteQuery = Type.Object({ claims: Type.Optional(Type.String({ maxLength: 32 })), 'circle-token': Type.Optional(Type.String()) });
const AnyQuery = Type.Object({ 'circle-token': Type.Optional(Type.String()) });

/** CircleCI's ClaimResponse: the IDs always, each claim and its stamp when set. */
const claimResponse = (row: ClaimsRecord) => ({
  org_id: row.organization_id,
  ...(row.project_id ? { project_id: row.project_id } : {}),
  ...(row.audience ? { audience: row.audience } : {}),
  ...(row.audience_updated_at ? { audience_updated_at: row.audience_updated_at.toISOString() } : {}),
  ...(row.ttl_ms ? { ttl: formatDuration(row.ttl_ms) } : {}),
  ...(row.ttl_updated_at ? { ttl_updated_at: row.ttl_updated_at.toISOString() } : {}),
});

/** `claims=audience,ttl`: required, from "audience" and "ttl" only (CircleCI's message when blank). */
function claimsToReset(text: string | undefined): ClaimName[] {
  const names = (text ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length) throw new InvalidRequest('Claims: cannot be blank.');
  const unknown = names.find((n) => n !== 'audience' && n !== 'ttl');
  if (unknown) throw new InvalidRequest(`Claims: "${unknown}" is not a claim; use audience and ttl.`);
  return [...new Set(names)] as ClaimName[];
}

export const circleCiRoutes: RouteModule = (app, { core: { oidcClaims } }) => {
  const scopes = [
    { path: '/api/v2/org/:orgID/oidc-custom-claims', params: Type.Object({ orgID: Uuid }), level: 'organization' as const, op: 'Org' },
    {
      path: '/api/v2/org/:orgID/project/:projectID/oidc-custom-claims',
      params: Type.Object({ orgID: Uuid, projectID: Uuid }),
      level: 'project' as const,
      op: 'Project',
    },
  ];
  for (const { path, params, level, op } of scopes) {
    const access = (operation: Operation) => ({
      access: callers({
        permission: permission(level, 'identity:oidcclaims', operation),
        organization: fromParam('orgID'),
        ...(level === 'project' ? { project: fromParam('projectID') } : {}),
      }),
    });
    const scope = (req: FastifyRequest) => {
      const p = req.params as { orgID: string; projectID?: string };
      return [p.orgID, p.projectID ?? null] as const;
    };
    app.get(path, {
      schema: { operationId: `circleciGet${op}Claims`, tags, params, querystring: AnyQuery },
      config: access('read'),
      handler: async (req) => claimResponse(await oidcClaims.get(...scope(req))),
    });
    app.patch(path, {
      schema: { operationId: `circleciPatch${op}Claims`, tags, params, querystring: AnyQuery, body: PatchClaimsRequest },
      config: access('update'),
      // CircleCI's request body is optional: none changes nothing and answers the claims.
      preValidation: optionalBody,
      handler: async (req) => claimResponse(await oidcClaims.patch(req.caller, ...scope(req), req.body as { audience?: string[]; ttl?: string })),
    });
    app.delete(path, {
      schema: { operationId: `circleciDelete${op}Claims`, tags, params, querystring: DeleteQuery },
      config: access('delete'),
      handler: async (req) => claimResponse(await oidcClaims.reset(req.caller, ...scope(req), claimsToReset((req.query as { claims?: string }).claims))),
    });
  }
};
