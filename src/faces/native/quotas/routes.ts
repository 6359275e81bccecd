import type { QuotaUsageRecord } from '../../../core/quotas/service.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { OrganizationParams } from '../schemas.ts';
import { QuotasRead, QuotasWrite } from './schemas.ts';

const tags = ['quotas'];

/** What a quota read adds to a quota write; a read form PUT back drops them (see ../read-form.ts). */
const serverOwnedQuotaFields = ['used', 'free', 'committed', 'reserved', 'displayName', 'description', 'default'];

function dropServerOwnedQuotaFields(body: unknown) {
  const items = (body as { quotas?: unknown } | null)?.quotas;
  if (!Array.isArray(items)) return;
  for (const item of items) {
    if (item && typeof item === 'object') for (const field of serverOwnedQuotaFields) delete (item as Record<string, unknown>)[field];
  }
}

const usageToWire = (row: QuotaUsageRecord) => {
  const used = row.committed + row.reserved;
  return {
    kind: row.kind,
    quantity: row.quantity,
    used,
    free: row.quantity - used,
    committed: row.committed,
    reserved: row.reserved,
    displayName: row.display_name,
    description: row.description,
    default: row.default_quantity,
  };
};

export const quotaRoutes: RouteModule = (app, { core: { quotas } }) => {
  app.get('/api/v1/organizations/:organizationID/quotas', {
    schema: { operationId: 'getQuotas', tags, params: OrganizationParams, response: { 200: QuotasRead, ...errorResponses(404) } },
    config: requires('organization', 'identity:quotas', 'read', inOrganization),
    handler: async (req) => ({ quotas: (await quotas.usage(req.params.organizationID)).map(usageToWire) }),
  });
  app.put('/api/v1/organizations/:organizationID/quotas', {
    schema: { operationId: 'setQuotas', tags, params: OrganizationParams, body: QuotasWrite, response: { 200: QuotasRead, ...errorResponses(404) } },
    config: requires('organization', 'identity:quotas', 'update', inOrganization),
    preValidation: async (req) => dropServerOwnedQuotaFields(req.body),
    handler: async (req) => ({ quotas: (await quotas.set(req.caller, req.params.organizationID, req.body.quotas)).map(usageToWire) }),
  });
};
