import { Type } from '@sinclair/typebox';
import { callers, organizationNamed, permission, publicAccess, refusedCredential } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { Unauthenticated } from '../../kernel/errors.ts';
import type { Operation } from '../../rbac/model.ts';
import { checkResources, tokenToWire } from './wire.ts';

const tags = ['dockerhub'];
const Resource = Type.Object(
  {
    type: Type.Unsafe<'TYPE_REPO' | 'TYPE_ORG'>({ type: 'string', enum: ['TYPE_REPO', 'TYPE_ORG'] }),
    path: Type.String({ minLength: 1, maxLength: 255 }),
    scopes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 32, uniqueItems: true }),
  },
  { additionalProperties: false },
);
const Utc = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?Z$', description: 'a UTC time such as 2027-05-20T00:54:18Z' });
const CreateRequest = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    resources: Type.Optional(Type.Array(Resource, { maxItems: 100 })),
    expires_at: Type.Optional(Type.Union([Utc, Type.Null()])),
  },
  { additionalProperties: false },
);
const UpdateRequest = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    resources: Type.Optional(Type.Array(Resource, { maxItems: 100 })),
    is_active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
// Query values are strings (no type coercion anywhere in Tessera): checked by pattern, then read.
const ListQuery = Type.Object(
  {
    page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'a page number from 1' })),
    page_size: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$', description: 'a number from 1 to 100 (default 10)' })),
  },
  { additionalProperties: false },
);
const LoginRequest = Type.Object({ identifier: Type.String({ minLength: 1, maxLength: 255 }), secret: Type.String({ minLength: 1, maxLength: 512 }) });
const TokenParams = Type.Object({ org_name: Type.String({ maxLength: 255 }), access_token_id: Type.String({ format: 'uuid' }) });

// Who may manage: callers with identity:apitokens on the organization the path names.
const manage = (operation: Operation, param: string) => ({
  access: callers({ permission: permission('organization', 'identity:apitokens', operation), organization: organizationNamed(param) }),
});

/** Docker Hub's JWTs from `/v2/auth/token` expire in 10 minutes. */
const loginTtlSeconds = 600;

export const dockerHubRoutes: RouteModule = (app, deps) => {
  const { core } = deps;
  const { apiTokens } = core;
  const org = (req: { organizationId?: string }) => req.organizationId ?? '';

  app.get('/v2/orgs/:name/access-tokens', {
    schema: { operationId: 'dockerListOrgAccessTokens', tags, querystring: ListQuery, params: Type.Object({ name: Type.String({ maxLength: 255 }) }) },
    config: manage('read', 'name'),
    handler: async (req) => {
      const page = Number(req.query.page ?? 1);
      const size = Number(req.query.page_size ?? 10);
      const { items, total } = await apiTokens.listNumbered(org(req), page, size);
      const link = (n: number) => `${core.config.issuer}/v2/orgs/${encodeURIComponent(req.params.name)}/access-tokens?page=${n}&page_size=${size}`;
      return {
        total,
        next: page * size < total ? link(page + 1) : null,
        previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(total / size)))) : null,
        results: items.map(tokenToWire).map(({ description: _d, resources: _r, ...summary }) => summary),
      };
    },
  });

  app.post('/v2/orgs/:name/access-tokens', {
    schema: { operationId: 'dockerCreateOrgAccessToken', tags, body: CreateRequest, params: Type.Object({ name: Type.String({ maxLength: 255 }) }) },
    config: manage('create', 'name'),
    handler: async (req, reply) => {
      const { token, secret } = await apiTokens.create(req.caller, org(req), {
        name: req.body.label,
        description: req.body.description,
        privileges: [],
        resources: checkResources(req.body.resources ?? [], req.params.name),
        expiresAt: req.body.expires_at ? new Date(req.body.expires_at) : null,
      });
      return reply.status(201).send({ ...tokenToWire(token), token: secret });
    },
  });

  app.get('/v2/orgs/:org_name/access-tokens/:access_token_id', {
    schema: { operationId: 'dockerGetOrgAccessToken', tags, params: TokenParams },
    config: manage('read', 'org_name'),
    handler: async (req) => tokenToWire(await apiTokens.get(org(req), req.params.access_token_id)),
  });

  app.patch('/v2/orgs/:org_name/access-tokens/:access_token_id', {
    schema: { operationId: 'dockerUpdateOrgAccessToken', tags, params: TokenParams, body: UpdateRequest },
    config: manage('update', 'org_name'),
    handler: async (req) => {
      const updated = await apiTokens.patch(req.caller, org(req), req.params.access_token_id, {
        name: req.body.label,
        description: req.body.description,
        resources: req.body.resources ? checkResources(req.body.resources, req.params.org_name) : undefined,
        active: req.body.is_active,
      });
      return tokenToWire(updated);
    },
  });

  app.delete('/v2/orgs/:org_name/access-tokens/:access_token_id', {
    schema: { operationId: 'dockerDeleteOrgAccessToken', tags, params: TokenParams },
    config: manage('delete', 'org_name'),
    handler: async (req, reply) => {
      await apiTokens.delete(req.caller, org(req), req.params.access_token_id);
      return reply.status(204).send();
    },
  });

  // The login: an organization's name and one of its API tokens give a 10-minute JWT that
  // stands for that token (on this face and on /api/v1, with the token's privileges).
  app.post('/v2/auth/token', {
    schema: { operationId: 'dockerAuthCreateAccessToken', tags, body: LoginRequest },
    config: { access: publicAccess },
    handler: async (req) => {
      const organizationId = await core.organizations.idByName(req.body.identifier);
      const principal = await core.apiTokenUse.exchange(organizationId, req.body.secret, req.ip).catch(async (error) => {
        if (error instanceof Unauthenticated) await refusedCredential(deps, req, 'dockerhub', error.message);
        throw error;
      });
      const issued = await core.issuance.forApiToken(principal, loginTtlSeconds, 'dockerhub_login');
      return { access_token: issued.access_token };
    },
  });
};
