import { permission } from '../../http/auth.ts';
import { OrganizationParams } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { QuotasRead, QuotasWrite } from './schemas.ts';

const tags = ['quotas'];

export const quotaRoutes: RouteModule = (app, { quotas }) => {
  app.get('/api/v1/organizations/:organizationID/quotas', {
    schema: { operationId: 'getQuotas', tags, params: OrganizationParams, response: { 200: QuotasRead, ...errorResponses(404) } },
    config: { access: permission('organization', 'identity:quotas', 'read') },
    handler: async (req) => quotas.get(req.params.organizationID),
  });
  app.put('/api/v1/organizations/:organizationID/quotas', {
    schema: { operationId: 'setQuotas', tags, params: OrganizationParams, body: QuotasWrite, response: { 200: QuotasRead, ...errorResponses(404) } },
    config: { access: permission('organization', 'identity:quotas', 'update') },
    handler: async (req) => quotas.set(req.params.organizationID, req.body),
  });
};
