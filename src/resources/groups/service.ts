import type { Db, Queryable } from '../../db/db.ts';
import type { Acl } from '../../rbac/acl.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { NotFound } from '../../http/errors.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import { requireInOrganization } from '../common/references.ts';
import type { Page } from '../common/schemas.ts';
import type { RoleService } from '../roles/service.ts';
import type { GroupWrite } from './schemas.ts';
import * as store from './store.ts';

const groupToWire = (row: store.GroupRow) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id },
  spec: { userIDs: row.user_ids, serviceAccountIDs: row.service_account_ids, roleIDs: row.role_ids },
});

export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly roles: RoleService,
  ) {}

  async list(organizationId: string, query: Page) {
    const page = parsePage(query);
    return finishPage(page, await store.listGroups(this.db, organizationId, page), groupToWire);
  }

  async get(organizationId: string, id: string) {
    const row = await store.getGroup(this.db, organizationId, id);
    if (!row) throw new NotFound('group not found');
    return groupToWire(row);
  }

  async create(auth: RequestAuth, organizationId: string, body: GroupWrite) {
    const acl = await auth.acl(organizationId); // before the transaction, which holds PGlite's connection
    return this.db.transaction(async (tx) => {
      await this.checkReferences(tx, acl, organizationId, body);
      const id = await store.insertGroup(tx, organizationId, body, auth.principal.subject);
      return groupToWire((await store.getGroup(tx, organizationId, id))!);
    });
  }

  async update(auth: RequestAuth, organizationId: string, id: string, body: GroupWrite) {
    const acl = await auth.acl(organizationId);
    await this.db.transaction(async (tx) => {
      if (!(await store.getGroup(tx, organizationId, id))) throw new NotFound('group not found');
      await this.checkReferences(tx, acl, organizationId, body);
      await store.updateGroup(tx, organizationId, id, body, auth.principal.subject);
    });
  }

  async delete(organizationId: string, id: string) {
    if (!(await store.deleteGroup(this.db, organizationId, id))) throw new NotFound('group not found');
  }

  private async checkReferences(tx: Queryable, acl: Acl, organizationId: string, body: GroupWrite) {
    await this.roles.requireGrantable(tx, acl, organizationId, body.spec.roleIDs);
    await requireInOrganization(tx, 'users', organizationId, body.spec.userIDs, 'spec.userIDs');
    await requireInOrganization(tx, 'serviceAccounts', organizationId, body.spec.serviceAccountIDs, 'spec.serviceAccountIDs');
  }
}
