import type { Db } from '../../db/db.ts';
import { Forbidden, InvalidRequest, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { canGrant } from '../../rbac/acl.ts';
import type { Caller } from '../../rbac/caller.ts';
import { changedFields, idList, metadataChanges } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { RoleService } from '../roles/service.ts';
import type { GroupInput, GroupRecord } from './model.ts';
import * as store from './store.ts';

export type { GroupInput, GroupRecord } from './model.ts';

export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly roles: RoleService,
    private readonly events: EventSink,
  ) {
    db.explainConstraints(store.constraints);
  }

  async list(organizationId: string, page: PageQuery): Promise<Listing<GroupRecord>> {
    return finishPage(page, await store.listGroups(this.db, organizationId, page));
  }

  async get(organizationId: string, id: string): Promise<GroupRecord> {
    const row = await store.getGroup(this.db, organizationId, id);
    if (!row) throw new NotFound('group not found');
    return row;
  }

  async create(caller: Caller, organizationId: string, input: GroupInput): Promise<GroupRecord> {
    return this.db.transaction(async () => {
      await this.checkReferences(caller, organizationId, input);
      return this.insert(caller.subject, organizationId, input);
    });
  }

  /** Creates the group with no permission check: for callers that made their own (onboarding). */
  async insert(actor: string, organizationId: string, input: GroupInput): Promise<GroupRecord> {
    return this.db.transaction(async () => {
      const id = await store.insertGroup(this.db, organizationId, input, actor);
      await this.events.record({ type: 'group.created', actor, organizationId, target: { kind: 'group', id } });
      return this.get(organizationId, id);
    });
  }

  async update(caller: Caller, organizationId: string, id: string, input: GroupInput): Promise<void> {
    await this.db.transaction(async () => {
      const current = await this.get(organizationId, id);
      await this.checkReferences(caller, organizationId, input);
      await store.updateGroup(this.db, organizationId, id, input, caller.subject);
      const changes = changedFields({
        ...metadataChanges(current, input.metadata),
        'spec.roleIDs': idList(current.role_ids, input.roleIds),
        'spec.userIDs': idList(current.user_ids, input.userIds),
        'spec.serviceAccountIDs': idList(current.service_account_ids, input.serviceAccountIds),
      });
      await this.events.record(caller.event({ type: 'group.updated', organizationId, target: { kind: 'group', id }, changes }));
    });
  }

  async delete(caller: Caller, organizationId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deleteGroup(this.db, organizationId, id))) throw new NotFound('group not found');
      await this.events.record(caller.event({ type: 'group.deleted', organizationId, target: { kind: 'group', id } }));
    });
  }

  /**
   * Putting a user or service account in a group, or a group in a project, hands out the
   * group's roles: the groups must exist in the organization (400) and their roles must be
   * grantable by the caller (403).
   */
  async requireGrantable(caller: Caller, organizationId: string, groupIds: readonly string[]): Promise<void> {
    const missing = await store.missingGroups(this.db, organizationId, groupIds);
    if (missing.length) throw new InvalidRequest(`spec.groupIDs names unknown IDs in this organization: ${missing.join(', ')}`);
    if (!groupIds.length) return;
    const acl = await caller.acl(organizationId);
    for (const role of await store.rolesOfGroups(this.db, organizationId, groupIds)) {
      if (!canGrant(acl, organizationId, role.scopes)) {
        throw new Forbidden(`a group in spec.groupIDs grants the role "${role.name}", which holds permissions the caller lacks`);
      }
    }
  }

  /** Makes a user's (membership's) or service account's groups exactly `groupIds`. */
  async setGroupsOf(member: 'user' | 'serviceAccount', organizationId: string, memberId: string, groupIds: readonly string[]): Promise<void> {
    await store.replaceGroupsOf(this.db, member, organizationId, memberId, groupIds);
  }

  private async checkReferences(caller: Caller, organizationId: string, input: GroupInput) {
    await this.roles.requireGrantable(caller, organizationId, input.roleIds);
    const users = await store.missingUsers(this.db, organizationId, input.userIds);
    if (users.length) throw new InvalidRequest(`spec.userIDs names unknown IDs in this organization: ${users.join(', ')}`);
    const accounts = await store.missingServiceAccounts(this.db, organizationId, input.serviceAccountIds);
    if (accounts.length) throw new InvalidRequest(`spec.serviceAccountIDs names unknown IDs in this organization: ${accounts.join(', ')}`);
  }
}
