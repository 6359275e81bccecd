import type { Db, Queryable } from '../../db/db.ts';
import { Conflict, InvalidRequest, NotFound } from '../../http/errors.ts';
import type { QuotasWrite } from './schemas.ts';
import * as store from './store.ts';

const usageToWire = (row: store.QuotaUsageRow) => {
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

export class QuotaService {
  constructor(private readonly db: Db) {}

  async get(organizationId: string) {
    return { quotas: (await store.quotaUsage(this.db, organizationId)).map(usageToWire) };
  }

  /** Replaces the limits; refused (400) if any limit would fall below what is allocated. */
  async set(organizationId: string, body: QuotasWrite) {
    return this.db.transaction(async (tx) => {
      await this.lock(tx, organizationId);
      const known = await store.knownKinds(tx);
      const seen = new Set<string>();
      for (const { kind } of body.quotas) {
        if (!known.has(kind)) throw new InvalidRequest(`quotas: unknown kind "${kind}"; known kinds are ${[...known].join(', ')}`);
        if (seen.has(kind)) throw new InvalidRequest(`quotas: kind "${kind}" appears twice`);
        seen.add(kind);
      }
      await store.replaceQuotas(tx, organizationId, body.quotas);
      for (const row of await store.quotaUsage(tx, organizationId)) {
        const used = row.committed + row.reserved;
        if (row.quantity < used) {
          throw new InvalidRequest(`quota for "${row.kind}" (${row.quantity}) would be below current usage (${used})`);
        }
      }
      return { quotas: (await store.quotaUsage(tx, organizationId)).map(usageToWire) };
    });
  }

  /** Serializes usage changes of one organization; call first in the transaction. */
  async lock(tx: Queryable, organizationId: string) {
    if (!(await store.lockOrganizationQuota(tx, organizationId))) throw new NotFound('organization not found');
  }

  /** Throws 409 if the organization's allocations now exceed any quota (call inside the lock). */
  async assertWithinQuota(tx: Queryable, organizationId: string) {
    for (const row of await store.quotaUsage(tx, organizationId)) {
      const used = row.committed + row.reserved;
      if (used > row.quantity) {
        throw new Conflict(`allocation exceeds the quota for "${row.kind}": ${used} requested of ${row.quantity}`);
      }
    }
  }
}
