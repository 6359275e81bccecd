import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { aclJson } from '../../../http/acl-wire.ts';
import { anyCaller, anyCallerInOrganization, errorResponses, type RouteModule } from '../routing.ts';
import { OrganizationParams } from '../schemas.ts';

const Endpoints = Type.Array(Type.Object({ name: Type.String(), operations: Type.Array(Type.String()) }));
const Scoped = Type.Object({ id: Type.String(), endpoints: Endpoints });
const AclRead = Type.Object({
  global: Type.Optional(Endpoints),
  organization: Type.Optional(Scoped),
  projects: Type.Optional(Type.Array(Scoped)),
});

/** Sends JSON made beforehand, as it is (Fastify serializes no Buffer). */
function sendJson(reply: FastifyReply, json: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

/**
 * The caller's own permissions: what other services of the platform ask Tessera for, on every
 * request they serve. The JSON is made once per cached ACL and sent as it is (the schema
 * still documents it, and the tests check it against the Identity API's).
 */
export const aclRoutes: RouteModule = (app) => {
  app.get('/api/v1/acl', {
    schema: { operationId: 'getAcl', tags: ['acl'], response: { 200: AclRead, ...errorResponses() } },
    config: anyCaller,
    handler: async (req, reply) => sendJson(reply, aclJson(await req.caller.acl())),
  });
  app.get('/api/v1/organizations/:organizationID/acl', {
    schema: { operationId: 'getOrganizationAcl', tags: ['acl'], params: OrganizationParams, response: { 200: AclRead, ...errorResponses() } },
    config: anyCallerInOrganization,
    handler: async (req, reply) => sendJson(reply, aclJson(await req.caller.acl(req.params.organizationID))),
  });
};
