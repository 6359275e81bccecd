import type { Db } from '../../db/db.ts';
import { Conflict, InvalidRequest } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import type { Caller } from '../../rbac/caller.ts';
import type { OrganizationService } from '../organizations/service.ts';
import type { QuotaInput, QuotaUsageRecord } from './model.ts';
import * as store from './store.ts';

export type { QuotaInput, QuotaUsageRecord } from './model.ts';

export class QuotaService {
  constructor(
    private readonly db: Db,
    private readonly organizations: OrganizationService,
    private readonly events: EventSink,
  ) {}

  usage(organizationId: string): Promise<QuotaUsageRecord[]> {
    return store.quotaUsage(this.db, organizationId);
  }

  /** Replaces the limits; refused (400) if any limit would fall below what is allocated. */
  async set(caller: Caller, organizationId: string, quotas: readonly QuotaInput[]): Promise<QuotaUsageRecord[]> {
    return this.db.transaction(async () => {
      await this.organizations.lock(organizationId);
      await this.requireKnownKinds(
        quotas.map((q) => q.kind),
        'quotas',
        (kind, known) => `unknown kind "${kind}"; known kinds are ${known.join(', ')}`,
      );
      await store.replaceQuotas(this.db, organizationId, quotas);
      for (const row of await this.usage(organizationId)) {
        const used = row.committed + row.reserved;
        if (row.quantity < used) {
          throw new InvalidRequest(`quota for "${row.kind}" (${row.quantity}) would be below current usage (${used})`);
        }
      }
      await this.events.record(caller.event({ type: 'quotas.updated', organizationId, target: { kind: 'organization', id: organizationId } }));
      return this.usage(organizationId);
    });
  }

  /** Refuses (400) unknown kinds and kinds named twice in one request. */
  async requireKnownKinds(kinds: readonly string[], field: string, unknown: (kind: string, known: string[]) => string): Promise<void> {
    const known = await store.knownKinds(this.db);
    const seen = new Set<string>();
    for (const kind of kinds) {
      if (!known.has(kind)) throw new InvalidRequest(`${field}: ${unknown(kind, [...known])}`);
      if (seen.has(kind)) throw new InvalidRequest(`${field}: kind "${kind}" appears twice`);
      seen.add(kind);
    }
  }

  /** Throws 409 if the organization's allocations now exceed any quota (call under the organization lock). */
  async assertWithinQuota(organizationId: string): Promise<void> {
    for (const row of await this.usage(organizationId)) {
      const used = row.committed + row.reserved;
      if (used > row.quantity) {
        throw new Conflict(`allocation exceeds the quota for "${row.kind}": ${used} requested of ${row.quantity}`);
      }
    }
  }
}
