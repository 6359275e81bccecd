import type { Db } from '../../db/db.ts';
import { Forbidden, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { allowOrganization } from '../../rbac/acl.ts';
import type { Caller } from '../../rbac/caller.ts';
import type { Operation } from '../../rbac/model.ts';
import { changedFields, idList, metadataChanges } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { CredentialService, IssuedToken } from '../credentials/service.ts';
import type { GroupService } from '../groups/service.ts';
import type { ServiceAccountInput, ServiceAccountRecord } from './model.ts';
import * as store from './store.ts';

export type { ServiceAccountInput, ServiceAccountRecord } from './model.ts';

/** A service account with the token just issued to it: the only time the token is seen. */
export interface ServiceAccountWithToken {
  account: ServiceAccountRecord;
  token: IssuedToken;
}

export class ServiceAccountService {
  constructor(
    private readonly db: Db,
    private readonly groups: GroupService,
    private readonly credentials: CredentialService,
    private readonly tokenTtlSeconds: number,
    private readonly events: EventSink,
  ) {
    db.explainConstraints(store.constraints);
  }

  /** Listing, reading and rotating are also open to a service account acting on itself. */
  private async allowedOrSelf(caller: Caller, organizationId: string, op: Operation, id?: string): Promise<'all' | 'self'> {
    if (allowOrganization(await caller.acl(organizationId), organizationId, 'identity:serviceaccounts', op)) return 'all';
    const p = caller.principal;
    if (p.kind === 'service_account' && p.organizationId === organizationId && (id === undefined || p.serviceAccountId === id)) return 'self';
    throw new Forbidden(`the caller lacks ${op} permission on identity:serviceaccounts at organization scope`);
  }

  async list(caller: Caller, organizationId: string, page: PageQuery): Promise<Listing<ServiceAccountRecord>> {
    const reach = await this.allowedOrSelf(caller, organizationId, 'read');
    const only = reach === 'self' && caller.principal.kind === 'service_account' ? caller.principal.serviceAccountId : undefined;
    return finishPage(page, await store.listServiceAccounts(this.db, organizationId, page, only));
  }

  async get(caller: Caller, organizationId: string, id: string): Promise<ServiceAccountRecord> {
    await this.allowedOrSelf(caller, organizationId, 'read', id);
    return this.require(organizationId, id);
  }

  async create(caller: Caller, organizationId: string, input: ServiceAccountInput): Promise<ServiceAccountWithToken> {
    return this.db.transaction(async () => {
      await this.groups.requireGrantable(caller, organizationId, input.groupIds);
      const id = await store.insertServiceAccount(this.db, organizationId, input, caller.subject);
      await this.groups.setGroupsOf('serviceAccount', organizationId, id, input.groupIds);
      await this.events.record(caller.event({ type: 'serviceaccount.created', organizationId, target: { kind: 'serviceaccount', id } }));
      return this.withNewToken(organizationId, id);
    });
  }

  async update(caller: Caller, organizationId: string, id: string, input: ServiceAccountInput): Promise<ServiceAccountRecord> {
    return this.db.transaction(async () => {
      const current = await this.require(organizationId, id);
      await this.groups.requireGrantable(caller, organizationId, input.groupIds);
      await store.updateServiceAccount(this.db, organizationId, id, input, caller.subject);
      await this.groups.setGroupsOf('serviceAccount', organizationId, id, input.groupIds);
      await this.events.record(
        caller.event({
          changes: changedFields({ ...metadataChanges(current, input.metadata), 'spec.groupIDs': idList(current.group_ids, input.groupIds) }),
          type: 'serviceaccount.updated',
          organizationId,
          target: { kind: 'serviceaccount', id },
        }),
      );
      return this.require(organizationId, id);
    });
  }

  /** Issues a new token; the previous one stops working in the same transaction. */
  async rotate(caller: Caller, organizationId: string, id: string): Promise<ServiceAccountWithToken> {
    await this.allowedOrSelf(caller, organizationId, 'update', id);
    return this.db.transaction(async () => {
      await this.require(organizationId, id);
      await this.events.record(caller.event({ type: 'serviceaccount.token_rotated', organizationId, target: { kind: 'serviceaccount', id } }));
      return this.withNewToken(organizationId, id);
    });
  }

  async delete(caller: Caller, organizationId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deleteServiceAccount(this.db, organizationId, id))) throw new NotFound('service account not found');
      await this.events.record(caller.event({ type: 'serviceaccount.deleted', organizationId, target: { kind: 'serviceaccount', id } }));
    });
  }

  /** The account, or 404: for what lives under an account (its trust policies). */
  async require(organizationId: string, id: string): Promise<ServiceAccountRecord> {
    const row = await store.getServiceAccount(this.db, organizationId, id);
    if (!row) throw new NotFound('service account not found');
    return row;
  }

  private async withNewToken(organizationId: string, id: string): Promise<ServiceAccountWithToken> {
    const token = await this.credentials.issueServiceAccountToken(organizationId, id, this.tokenTtlSeconds);
    return { account: await this.require(organizationId, id), token };
  }
}
