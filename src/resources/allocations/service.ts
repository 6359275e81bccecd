import type { Db, Queryable } from '../../db/db.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { Conflict, InvalidRequest, NotFound } from '../../http/errors.ts';
import { projectsAllowing } from '../../rbac/acl.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { ProjectService } from '../projects/service.ts';
import type { QuotaService } from '../quotas/service.ts';
import { knownKinds } from '../quotas/store.ts';
import type { AllocationWrite } from './schemas.ts';
import * as store from './store.ts';

const allocationToWire = (row: store.AllocationRow) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id, projectId: row.project_id },
  spec: { kind: row.resource_kind, id: row.resource_id, allocations: row.items },
});

/**
 * Allocations consume the organization's quotas. Create and update run under the
 * organization's quota lock: write, re-sum, and roll back with 409 if any kind is over,
 * so concurrent allocations can never overshoot a quota together.
 */
export class AllocationService {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
    private readonly quotas: QuotaService,
  ) {}

  async list(auth: RequestAuth, organizationId: string, query: Page) {
    const page = parsePage(query);
    const only = projectsAllowing(await auth.acl(organizationId), organizationId, 'identity:allocations', 'read');
    return finishPage(page, await store.listAllocations(this.db, organizationId, page, only), allocationToWire);
  }

  async get(organizationId: string, projectId: string, id: string) {
    return allocationToWire(await this.require(this.db, organizationId, projectId, id));
  }

  async create(auth: RequestAuth, organizationId: string, projectId: string, body: AllocationWrite) {
    return this.db.transaction(async (tx) => {
      await this.prepare(tx, organizationId, projectId, body);
      const id = await store.insertAllocation(tx, organizationId, projectId, body, auth.principal.subject);
      await this.quotas.assertWithinQuota(tx, organizationId);
      return allocationToWire(await this.require(tx, organizationId, projectId, id));
    });
  }

  async update(auth: RequestAuth, organizationId: string, projectId: string, id: string, body: AllocationWrite) {
    return this.db.transaction(async (tx) => {
      await this.prepare(tx, organizationId, projectId, body);
      await this.require(tx, organizationId, projectId, id);
      await store.updateAllocation(tx, organizationId, projectId, id, body, auth.principal.subject);
      await this.quotas.assertWithinQuota(tx, organizationId);
      return allocationToWire(await this.require(tx, organizationId, projectId, id));
    });
  }

  async delete(organizationId: string, projectId: string, id: string) {
    if (!(await store.deleteAllocation(this.db, organizationId, projectId, id))) throw new NotFound('allocation not found');
  }

  /** Lock first, then check the project and the kinds. */
  private async prepare(tx: Queryable, organizationId: string, projectId: string, body: AllocationWrite) {
    await this.quotas.lock(tx, organizationId);
    const project = await this.projects.require(tx, organizationId, projectId);
    if (project.deletion_time) throw new Conflict('the project is being deleted');
    const known = await knownKinds(tx);
    const seen = new Set<string>();
    for (const { kind } of body.spec.allocations) {
      if (!known.has(kind)) throw new InvalidRequest(`spec.allocations: unknown quota kind "${kind}"`);
      if (seen.has(kind)) throw new InvalidRequest(`spec.allocations: kind "${kind}" appears twice`);
      seen.add(kind);
    }
  }

  private async require(db: Queryable, organizationId: string, projectId: string, id: string) {
    const row = await store.getAllocation(db, organizationId, projectId, id);
    if (!row) throw new NotFound('allocation not found');
    return row;
  }
}
