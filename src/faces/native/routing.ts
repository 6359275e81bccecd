/** Route-definition helpers shared by every resource's routes.ts of the native API. */
import { callers, fromParam, permission, type ScopeResolver } from '../../http/access.ts';
import type { Operation, ScopeLevel } from '../../rbac/model.ts';
import { ErrorBody } from './schemas.ts';

export type { RouteModule } from '../../http/faces.ts';

/** The documented error responses of an authenticated endpoint. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409)[]) {
  const out: Record<number, typeof ErrorBody> = { 500: ErrorBody };
  for (const status of [400, 401, 403, ...statuses]) out[status] = ErrorBody;
  return out;
}

/** Where the organization (and project) of `/api/v1/organizations/{organizationID}/...` routes come from. */
export const inOrganization = { organization: fromParam('organizationID') };
export const inProject = { ...inOrganization, project: fromParam('projectID') };

/** Route config: callers holding `operation` on `endpoint` at `scope`, in the scope `where` resolves. */
export function requires(scope: ScopeLevel, endpoint: string, operation: Operation, where: { organization?: ScopeResolver; project?: ScopeResolver } = {}) {
  return { access: callers({ permission: permission(scope, endpoint, operation), ...where }) };
}

/** Route config: any authenticated caller (the service decides what it may see). */
export const anyCaller = { access: callers() };
export const anyCallerInOrganization = { access: callers(inOrganization) };
