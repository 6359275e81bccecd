import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { Forbidden, InvalidRequest, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { allowGlobal } from '../../rbac/acl.ts';
import type { Caller } from '../../rbac/caller.ts';
import { changedFields, metadataChanges } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { OrganizationInput, OrganizationRecord } from './model.ts';
import * as store from './store.ts';

export type { OrganizationInput, OrganizationRecord } from './model.ts';

/** What organizations need to know of providers (implemented by the providers service). */
export interface ProviderOwners {
  /** The organization of a provider: null for a system provider, undefined if there is none. */
  ownerOf(providerId: string): Promise<string | null | undefined>;
}

export class OrganizationService {
  private readonly states: Cache<{ deleting: boolean }>;

  constructor(
    private readonly db: Db,
    private readonly providers: ProviderOwners,
    private readonly events: EventSink,
    caches: Caches,
  ) {
    db.explainConstraints(store.constraints);
    this.states = caches.cache('organizations');
  }

  /**
   * Platform readers see every organization; everyone else sees the organizations they
   * are an active member of (a service account: its own). `email` asks on behalf of
   * another user, which needs global read on users unless it is the caller's own.
   */
  async list(caller: Caller, page: PageQuery, email?: string): Promise<Listing<OrganizationRecord>> {
    const acl = await caller.acl();
    const { principal } = caller;
    let filter: store.OrganizationFilter;
    if (email !== undefined) {
      const self = principal.kind === 'user' && principal.subject.toLowerCase() === email.toLowerCase();
      if (!self && !allowGlobal(acl, 'identity:users', 'read')) {
        throw new Forbidden('listing the organizations of another user needs global read permission on identity:users');
      }
      filter = { email };
    } else if (allowGlobal(acl, 'identity:organizations', 'read')) {
      filter = { all: true };
    } else if (principal.kind === 'user') {
      filter = { userId: principal.userId };
    } else if (principal.kind === 'service_account') {
      filter = { organizationId: principal.organizationId };
    } else {
      return { items: [] };
    }
    return finishPage(page, await store.listOrganizations(this.db, filter, page));
  }

  async get(id: string): Promise<OrganizationRecord> {
    const row = await store.getOrganization(this.db, id);
    if (!row) throw new NotFound('organization not found');
    return row;
  }

  /** Existence and deletion state, for faces that guard organization-scoped routes. */
  state(id: string): Promise<{ deleting: boolean } | undefined> {
    return this.states.get(id, async () => {
      const state = await store.organizationState(this.db, id);
      return state && { value: state, tags: [`org:${id}`] };
    });
  }

  /** The ID of the organization with this name (names are unique, case-insensitively). */
  /** The ID of the organization named `name`, if there is one. */
  idByName(name: string): Promise<string | undefined> {
    return store.organizationIdByName(this.db, name);
  }

  async create(caller: Caller, input: OrganizationInput): Promise<OrganizationRecord> {
    if (input.providerScope === 'organization') {
      throw new InvalidRequest('a new organization has no providers yet: create it, add its provider, then set providerScope "organization"');
    }
    return this.db.transaction(async () => {
      await this.checkSpec(undefined, input);
      return this.insert(caller.subject, input);
    });
  }

  /** Creates the row with no permission check: for callers that made their own (onboarding). */
  async insert(actor: string, input: OrganizationInput): Promise<OrganizationRecord> {
    return this.db.transaction(async () => {
      const created = await store.insertOrganization(this.db, input, actor);
      await this.events.record({ type: 'organization.created', actor, organizationId: created.id, target: { kind: 'organization', id: created.id } });
      return created;
    });
  }

  /**
   * Claiming an email domain routes every login from that domain to this organization's
   * provider, so changing `domain` needs platform-level update permission.
   */
  async update(caller: Caller, id: string, input: OrganizationInput): Promise<void> {
    await this.db.transaction(async () => {
      const current = await this.get(id);
      const domainChanged = (current.domain ?? '').toLowerCase() !== (input.domain ?? '').toLowerCase();
      if (domainChanged && !allowGlobal(await caller.acl(id), 'identity:organizations', 'update')) {
        throw new Forbidden("changing an organization's domain needs global update permission on identity:organizations");
      }
      await this.checkSpec(id, input);
      await store.updateOrganization(this.db, id, input, caller.subject);
      await this.events.record(
        caller.event({
          changes: changedFields({
            ...metadataChanges(current, input.metadata),
            'spec.organizationType': [current.organization_type, input.organizationType],
            'spec.domain': [current.domain, input.domain],
            'spec.providerScope': [current.provider_scope, input.providerScope],
            'spec.providerID': [current.provider_id, input.providerId],
            'spec.googleCustomerID': [current.google_customer_id, input.googleCustomerId],
          }),
          type: 'organization.updated',
          organizationId: id,
          target: { kind: 'organization', id },
        }),
      );
    });
  }

  /** Starts the deletion (202): writes are refused until purgeDeleted removes it all. */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.markOrganizationDeleted(this.db, id))) throw new NotFound('organization not found');
      await this.events.record(caller.event({ type: 'organization.deleted', organizationId: id, target: { kind: 'organization', id } }));
    });
  }

  /** Serializes usage changes of one organization; call first in the transaction. */
  async lock(id: string): Promise<void> {
    if (!(await store.lockOrganization(this.db, id))) throw new NotFound('organization not found');
  }

  /** Removes organizations whose deletion was accepted; cascades remove everything in them. */
  purgeDeleted(): Promise<number> {
    return store.purgeDeletedOrganizations(this.db);
  }

  /** A domain organization names its domain and provider; an adhoc one names neither. */
  private async checkSpec(id: string | undefined, input: OrganizationInput) {
    if (input.organizationType === 'adhoc') {
      if (input.domain || input.providerScope || input.providerId) {
        throw new InvalidRequest('an adhoc organization takes no domain, providerScope or providerID');
      }
      return;
    }
    if (!input.domain || !input.providerScope || !input.providerId) {
      throw new InvalidRequest('a domain organization needs domain, providerScope and providerID');
    }
    const owner = await this.providers.ownerOf(input.providerId);
    const fits = input.providerScope === 'global' ? owner === null : owner !== undefined && owner !== null && owner === id;
    if (!fits) {
      throw new InvalidRequest(
        input.providerScope === 'global' ? 'spec.providerID does not name a system provider' : 'spec.providerID does not name a provider of this organization',
      );
    }
  }
}
