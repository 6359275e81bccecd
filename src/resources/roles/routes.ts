import { Type } from '@sinclair/typebox';
import { permission } from '../../http/auth.ts';
import { OrganizationParams, ReadMetadata } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';

const RoleList = Type.Array(Type.Object({ metadata: ReadMetadata }));

export const roleRoutes: RouteModule = (app, { roles }) => {
  app.get('/api/v1/organizations/:organizationID/roles', {
    schema: { operationId: 'listRoles', tags: ['roles'], params: OrganizationParams, response: { 200: RoleList, ...errorResponses() } },
    config: { access: permission('organization', 'identity:roles', 'read') },
    handler: async (req) => roles.listGrantable(req.auth, req.params.organizationID),
  });
};
