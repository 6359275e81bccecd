/**
 * For every route under /api/v1/organizations/{organizationID}, once the caller is known
 * to be allowed: 404 when the organization does not exist, and 409 for writes while it is
 * being deleted (reads still show it, with deletionTime set, until it is gone).
 */
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/db.ts';
import { Conflict, NotFound } from './errors.ts';

export function installOrganizationGuard(app: FastifyInstance, db: Queryable): void {
  app.addHook('preHandler', async (request) => {
    const organizationId = (request.params as { organizationID?: string } | undefined)?.organizationID;
    if (!organizationId) return;
    const result = await db.query<{ deleting: boolean }>(
      'SELECT deletion_time IS NOT NULL AS deleting FROM organizations WHERE id = $1',
      [organizationId],
    );
    if (!result.rows.length) throw new NotFound('organization not found');
    if (result.rows[0].deleting && request.method !== 'GET' && request.method !== 'DELETE') {
      throw new Conflict('the organization is being deleted');
    }
  });
}
