/** The audit trail, read: an organization's (its administrators and auditors) and the platform's. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditFilter, AuditRecord } from '../../../core/audit/service.ts';
import type { Services } from '../../../core/index.ts';
import { InvalidRequest } from '../../../kernel/errors.ts';
import { isUuid } from '../../../kernel/ids.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { OrganizationParams } from '../schemas.ts';

const tags = ['auditlogs'];
const DateTime = Type.String({ format: 'date-time' });

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. apitoken.created' })),
    actor: Type.Optional(Type.String({ maxLength: 320, description: 'The actor subject (an email, a service account or API token ID).' })),
    target: Type.Optional(Type.String({ maxLength: 100, description: 'The target ID.' })),
    since: Type.Optional(DateTime),
    until: Type.Optional(DateTime),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'a number of events from 1 to 1000 (default 100)' })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);
type AuditQuery = Static<typeof AuditQuery>;

const optional = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Optional(schema);
const AuditEvent = Type.Object({
  id: Type.String(),
  time: DateTime,
  organizationId: optional(Type.String()),
  action: Type.String(),
  outcome: Type.Unsafe<'success' | 'failure' | 'denied'>({ type: 'string', enum: ['success', 'failure', 'denied'] }),
  actor: Type.Object({
    kind: optional(Type.String()),
    subject: optional(Type.String()),
    credentialId: optional(Type.String()),
    address: optional(Type.String()),
    userAgent: optional(Type.String()),
  }),
  target: Type.Optional(Type.Object({ type: Type.String(), id: Type.String(), name: optional(Type.String()) })),
  requestId: optional(Type.String()),
  changes: Type.Array(Type.String()),
  detail: optional(Type.String()),
});

const defined = <T extends Record<string, unknown>>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));

const eventToWire = (row: AuditRecord) => ({
  id: row.id,
  time: row.occurred_at.toISOString(),
  ...defined({ organizationId: row.organization_id }),
  action: row.action,
  outcome: row.outcome,
  actor: defined({
    kind: row.actor_kind,
    subject: row.actor_subject,
    credentialId: row.actor_credential_id,
    address: row.actor_ip,
    userAgent: row.actor_user_agent,
  }),
  ...(row.target_type && row.target_id ? { target: { type: row.target_type, id: row.target_id, ...defined({ name: row.target_name }) } } : {}),
  ...defined({ requestId: row.request_id, detail: row.detail }),
  changes: row.changes,
});

/** Newest first; the next page's URL in an RFC 8288 Link header, as every native list. */
async function sendEvents(core: Services, req: FastifyRequest, reply: FastifyReply, query: AuditQuery, organizationId?: string) {
  // The native lists' cursor and limit, here keyed by (time, ID) and 100 events by default.
  const { limit = 100, after } = parsePage(query);
  if (after && (Number.isNaN(Date.parse(after[0])) || !isUuid(after[1]))) throw new InvalidRequest('querystring.cursor is not a cursor this server issued');
  const filter: AuditFilter = {
    organizationId,
    action: query.action,
    actor: query.actor,
    targetId: query.target,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
  };
  return sendListing(req, reply, await core.audit.list(filter, { limit, after }), eventToWire);
}

export const auditRoutes: RouteModule = (app, { core }) => {
  app.get('/api/v1/organizations/:organizationID/auditlogs', {
    schema: {
      operationId: 'listAuditEvents',
      tags,
      params: OrganizationParams,
      querystring: AuditQuery,
      response: { 200: Type.Array(AuditEvent), ...errorResponses(404) },
    },
    config: requires('organization', 'identity:auditlogs', 'read', inOrganization),
    handler: async (req, reply) => sendEvents(core, req, reply, req.query, req.params.organizationID),
  });
  app.get('/api/v1/auditlogs', {
    schema: { operationId: 'listPlatformAuditEvents', tags, querystring: AuditQuery, response: { 200: Type.Array(AuditEvent), ...errorResponses() } },
    config: requires('global', 'identity:auditlogs', 'read'),
    handler: async (req, reply) => sendEvents(core, req, reply, req.query),
  });
};
