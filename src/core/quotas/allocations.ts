import type { Db } from '../../db/db.ts';
import { NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { projectsAllowing } from '../../rbac/acl.ts';
import type { Caller } from '../../rbac/caller.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { OrganizationService } from '../organizations/service.ts';
import type { ProjectService } from '../projects/service.ts';
import * as store from './allocations-store.ts';
import type { AllocationInput, AllocationRecord } from './model.ts';
import type { QuotaService } from './service.ts';

export type { AllocationInput, AllocationRecord } from './model.ts';

/**
 * Allocations consume the organization's quotas. Create and update run under the
 * organization's lock: write, re-sum, and roll back with 409 if any kind is over, so
 * concurrent allocations can never overshoot a quota together.
 */
export class AllocationService {
  constructor(
    private readonly db: Db,
    private readonly organizations: OrganizationService,
    private readonly projects: ProjectService,
    private readonly quotas: QuotaService,
    private readonly events: EventSink,
  ) {
    db.explainConstraints(store.constraints);
  }

  async list(caller: Caller, organizationId: string, page: PageQuery): Promise<Listing<AllocationRecord>> {
    const only = projectsAllowing(await caller.acl(organizationId), organizationId, 'identity:allocations', 'read');
    return finishPage(page, await store.listAllocations(this.db, organizationId, page, only));
  }

  async get(organizationId: string, projectId: string, id: string): Promise<AllocationRecord> {
    const row = await store.getAllocation(this.db, organizationId, projectId, id);
    if (!row) throw new NotFound('allocation not found');
    return row;
  }

  async create(caller: Caller, organizationId: string, projectId: string, input: AllocationInput): Promise<AllocationRecord> {
    return this.db.transaction(async () => {
      await this.prepare(organizationId, projectId, input);
      const id = await store.insertAllocation(this.db, organizationId, projectId, input, caller.subject);
      await this.quotas.assertWithinQuota(organizationId);
      await this.record('allocation.created', caller, organizationId, projectId, id);
      return this.get(organizationId, projectId, id);
    });
  }

  async update(caller: Caller, organizationId: string, projectId: string, id: string, input: AllocationInput): Promise<AllocationRecord> {
    return this.db.transaction(async () => {
      await this.prepare(organizationId, projectId, input);
      await this.get(organizationId, projectId, id);
      await store.updateAllocation(this.db, organizationId, projectId, id, input, caller.subject);
      await this.quotas.assertWithinQuota(organizationId);
      await this.record('allocation.updated', caller, organizationId, projectId, id);
      return this.get(organizationId, projectId, id);
    });
  }

  async delete(caller: Caller, organizationId: string, projectId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deleteAllocation(this.db, organizationId, projectId, id))) throw new NotFound('allocation not found');
      await this.record('allocation.deleted', caller, organizationId, projectId, id);
    });
  }

  /** Lock first, then check the project and the kinds. */
  private async prepare(organizationId: string, projectId: string, input: AllocationInput) {
    await this.organizations.lock(organizationId);
    await this.projects.requireLive(organizationId, projectId);
    await this.quotas.requireKnownKinds(
      input.items.map((i) => i.kind),
      'spec.allocations',
      (kind) => `unknown quota kind "${kind}"`,
    );
  }

  private record(type: string, caller: Caller, organizationId: string, projectId: string, id: string) {
    return this.events.record(caller.event({ type, organizationId, projectId, target: { kind: 'allocation', id } }));
  }
}
