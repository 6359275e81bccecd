import { Type } from '@sinclair/typebox';
import type { ApiTokenRecord } from '../../core/apitokens/service.ts';
import type { Services } from '../../core/index.ts';
import { callers, fromParam, permission } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import type { Operation } from '../../rbac/model.ts';
import { fromMist, type MistPrivilege, toMist } from './privileges.ts';

const tags = ['mist'];
const Uuid = Type.String({ format: 'uuid' });
const Privilege = Type.Object(
  {
    scope: Type.Unsafe<MistPrivilege['scope']>({ type: 'string', enum: ['org', 'site', 'sitegroup'] }),
    role: Type.Unsafe<MistPrivilege['role']>({ type: 'string', enum: ['admin', 'helpdesk', 'installer', 'read', 'write'] }),
    // Read-only in Mist's schema, yet sent by its own examples and returned by GET: accepted when
    // it names the path's organization, so that a token read and written back is unchanged.
    org_id: Type.Optional(Uuid),
    site_id: Type.Optional(Uuid),
    sitegroup_id: Type.Optional(Uuid),
    views: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 })),
  },
  { additionalProperties: false },
);
const tokenFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  privileges: Type.Array(Privilege, { minItems: 1, maxItems: 10 }),
  src_ips: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 })),
};
// Read-only fields a client may send back (Terraform does) are accepted and ignored.
const TokenBody = Type.Object(tokenFields, { additionalProperties: true });
// Mist requires privileges to create only: an update that leaves them out keeps the token's.
const UpdateBody = Type.Object({ ...tokenFields, privileges: Type.Optional(tokenFields.privileges) }, { additionalProperties: true });
const OrgParams = Type.Object({ org_id: Uuid });
const TokenParams = Type.Object({ org_id: Uuid, apitoken_id: Uuid });

const manage = (operation: Operation) => ({
  access: callers({ permission: permission('organization', 'identity:apitokens', operation), organization: fromParam('org_id') }),
});

const epoch = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);
const email = (subject: string | null) => (subject && /^[^@\s]+@[^@\s]+$/.test(subject) ? subject : null);

async function toWire(core: Services, row: ApiTokenRecord, key: string) {
  return {
    id: row.id,
    org_id: row.organization_id,
    name: row.name,
    key,
    created_by: email(row.created_by),
    created_time: epoch(row.created_at),
    last_used: epoch(row.last_used_at),
    privileges: await toMist(core, row),
    src_ips: row.source_ips,
  };
}

export const mistRoutes: RouteModule = (app, { core }) => {
  const { apiTokens } = core;
  const base = '/api/v1/orgs/:org_id/apitokens';

  app.get(base, {
    schema: { operationId: 'mistListOrgApiTokens', tags, params: OrgParams },
    config: manage('read'),
    handler: async (req) => {
      const rows = (await apiTokens.list(req.params.org_id, {}, {})).items; // Mist lists are whole arrays
      return Promise.all(rows.map((row) => toWire(core, row, row.secret_hint)));
    },
  });
  app.post(base, {
    schema: { operationId: 'mistCreateOrgApiToken', tags, params: OrgParams, body: TokenBody },
    config: manage('create'),
    handler: async (req) => {
      const { token, secret } = await apiTokens.create(req.caller, req.params.org_id, {
        name: req.body.name,
        privileges: await fromMist(core, req.params.org_id, req.body.privileges),
        sourceIps: req.body.src_ips,
      });
      return toWire(core, token, secret); // 200, as Mist answers a create; the key is shown this once
    },
  });
  app.get(`${base}/:apitoken_id`, {
    schema: { operationId: 'mistGetOrgApiToken', tags, params: TokenParams },
    config: manage('read'),
    handler: async (req) => {
      const row = await apiTokens.get(req.params.org_id, req.params.apitoken_id);
      return toWire(core, row, row.secret_hint);
    },
  });
  // PUT replaces name, and privileges and src_ips when given (src_ips are editable here, unlike Mist).
  app.put(`${base}/:apitoken_id`, {
    schema: { operationId: 'mistUpdateOrgApiToken', tags, params: TokenParams, body: UpdateBody },
    config: manage('update'),
    handler: async (req) => {
      const row = await apiTokens.patch(req.caller, req.params.org_id, req.params.apitoken_id, {
        name: req.body.name,
        privileges: req.body.privileges && (await fromMist(core, req.params.org_id, req.body.privileges)),
        sourceIps: req.body.src_ips,
      });
      return toWire(core, row, row.secret_hint);
    },
  });
  app.delete(`${base}/:apitoken_id`, {
    schema: { operationId: 'mistDeleteOrgApiToken', tags, params: TokenParams },
    config: manage('delete'),
    handler: async (req, reply) => {
      await apiTokens.delete(req.caller, req.params.org_id, req.params.apitoken_id);
      return reply.status(200).send();
    },
  });
};
