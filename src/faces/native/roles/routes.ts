import { Type } from '@sinclair/typebox';
import type { RoleRecord } from '../../../core/roles/service.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { OrganizationParams, ReadMetadata } from '../schemas.ts';
import { readMetadata } from '../wire.ts';

const RoleList = Type.Array(Type.Object({ metadata: ReadMetadata }));

const roleToWire = (role: RoleRecord) => ({
  metadata: readMetadata({ ...role, tags: [], created_by: null, modified_at: null, modified_by: null }),
});

export const roleRoutes: RouteModule = (app, { core: { roles } }) => {
  app.get('/api/v1/organizations/:organizationID/roles', {
    schema: { operationId: 'listRoles', tags: ['roles'], params: OrganizationParams, response: { 200: RoleList, ...errorResponses() } },
    config: requires('organization', 'identity:roles', 'read', inOrganization),
    handler: async (req) => (await roles.listGrantable(req.caller, req.params.organizationID)).map(roleToWire),
  });
};
