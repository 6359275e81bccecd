import type { Db, Queryable } from '../../db/db.ts';
import { Forbidden, InvalidRequest, NotFound } from '../../http/errors.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { allowGlobal } from '../../rbac/acl.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage, type Listing } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { OrganizationWrite } from './schemas.ts';
import * as store from './store.ts';

export function organizationToWire(row: store.OrganizationRow) {
  return {
    metadata: readMetadata({ ...row, organization_id: null }),
    spec: {
      organizationType: row.organization_type,
      ...(row.domain ? { domain: row.domain } : {}),
      ...(row.provider_scope ? { providerScope: row.provider_scope } : {}),
      ...(row.provider_id ? { providerID: row.provider_id } : {}),
      ...(row.google_customer_id ? { googleCustomerID: row.google_customer_id } : {}),
    },
  };
}

export type OrganizationWire = ReturnType<typeof organizationToWire>;

export class OrganizationService {
  constructor(private readonly db: Db) {}

  /**
   * Platform readers see every organization; everyone else sees the organizations they
   * are an active member of (a service account: its own). `email` asks on behalf of
   * another user, which needs global read on users unless it is the caller's own.
   */
  async list(auth: RequestAuth, query: Page & { email?: string }): Promise<Listing<OrganizationWire>> {
    const page = parsePage(query);
    const acl = await auth.acl();
    const { principal } = auth;
    let filter: Parameters<typeof store.listOrganizations>[1];
    if (query.email !== undefined) {
      const self = principal.kind === 'user' && principal.subject.toLowerCase() === query.email.toLowerCase();
      if (!self && !allowGlobal(acl, 'identity:users', 'read')) {
        throw new Forbidden('listing the organizations of another user needs global read permission on identity:users');
      }
      filter = { email: query.email };
    } else if (allowGlobal(acl, 'identity:organizations', 'read')) {
      filter = { all: true };
    } else if (principal.kind === 'user') {
      filter = { userId: principal.userId };
    } else if (principal.kind === 'service_account') {
      filter = { organizationId: principal.organizationId };
    } else {
      return { items: [] };
    }
    return finishPage(page, await store.listOrganizations(this.db, filter, page), organizationToWire);
  }

  async get(id: string): Promise<OrganizationWire> {
    return organizationToWire(await this.require(id));
  }

  async create(auth: RequestAuth, body: OrganizationWrite): Promise<OrganizationWire> {
    if (body.spec.providerScope === 'organization') {
      throw new InvalidRequest('a new organization has no providers yet: create it, add its provider, then set providerScope "organization"');
    }
    return this.db.transaction(async (tx) => {
      await this.checkSpec(tx, undefined, body);
      return organizationToWire(await store.insertOrganization(tx, body, auth.principal.subject));
    });
  }

  /**
   * Claiming an email domain routes every login from that domain to this organization's
   * provider, so changing `domain` needs platform-level update permission.
   */
  async update(auth: RequestAuth, id: string, body: OrganizationWrite): Promise<void> {
    // The ACL is read before the transaction: PGlite's single connection is held by it.
    const mayClaimDomains = allowGlobal(await auth.acl(id), 'identity:organizations', 'update');
    await this.db.transaction(async (tx) => {
      const current = await this.require(id, tx);
      const domainChanged = (current.domain ?? '').toLowerCase() !== (body.spec.domain ?? '').toLowerCase();
      if (domainChanged && !mayClaimDomains) {
        throw new Forbidden('changing an organization\'s domain needs global update permission on identity:organizations');
      }
      await this.checkSpec(tx, id, body);
      await store.updateOrganization(tx, id, body, auth.principal.subject);
    });
  }

  async delete(id: string): Promise<void> {
    if (!(await store.markOrganizationDeleted(this.db, id))) throw new NotFound('organization not found');
  }

  private async require(id: string, db: Queryable = this.db): Promise<store.OrganizationRow> {
    const row = await store.getOrganization(db, id);
    if (!row) throw new NotFound('organization not found');
    return row;
  }

  /** A domain organization names its domain and provider; an adhoc one names neither. */
  private async checkSpec(tx: Queryable, id: string | undefined, body: OrganizationWrite) {
    const { spec } = body;
    if (spec.organizationType === 'adhoc') {
      if (spec.domain || spec.providerScope || spec.providerID) {
        throw new InvalidRequest('an adhoc organization takes no domain, providerScope or providerID');
      }
      return;
    }
    if (!spec.domain || !spec.providerScope || !spec.providerID) {
      throw new InvalidRequest('a domain organization needs domain, providerScope and providerID');
    }
    const owner = await store.providerOwner(tx, spec.providerID);
    const fits = spec.providerScope === 'global' ? owner === null : owner !== undefined && owner !== null && owner === id;
    if (!fits) {
      throw new InvalidRequest(
        spec.providerScope === 'global'
          ? 'spec.providerID does not name a system provider'
          : 'spec.providerID does not name a provider of this organization',
      );
    }
  }
}
