import type { Db, Queryable } from '../../db/db.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { InvalidRequest, NotFound } from '../../http/errors.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { RoleService } from '../roles/service.ts';
import type { UserWrite } from './schemas.ts';
import * as store from './store.ts';

const userToWire = (row: store.MembershipRow) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id },
  spec: { subject: row.email, state: row.state, groupIDs: row.group_ids },
  status: row.last_active ? { lastActive: row.last_active.toISOString() } : {},
});

/** A label-safe default name from the email's local part (the API makes metadata optional). */
export function defaultName(email: string): string {
  const cleaned = email.split('@')[0].replace(/[^0-9A-Za-z-_.]/g, '-').slice(0, 63).replace(/^[^0-9A-Za-z]+|[^0-9A-Za-z]+$/g, '');
  return cleaned || 'user';
}

export class UserService {
  constructor(
    private readonly db: Db,
    private readonly roles: RoleService,
    private readonly signupLink: (db: Queryable, userId: string) => Promise<string>,
  ) {}

  async list(organizationId: string, query: Page) {
    const page = parsePage(query);
    return finishPage(page, await store.listMemberships(this.db, organizationId, page), userToWire);
  }

  async get(organizationId: string, id: string) {
    const row = await store.getMembership(this.db, organizationId, id);
    if (!row) throw new NotFound('user not found');
    return userToWire(row);
  }

  /** Adds a person (by email) to the organization; their global account is created on first use. */
  async create(auth: RequestAuth, organizationId: string, body: UserWrite) {
    const acl = await auth.acl(organizationId); // before the transaction: PGlite has one connection
    return this.db.transaction(async (tx) => {
      await this.roles.requireGroupsGrantable(tx, acl, organizationId, body.spec.groupIDs);
      // A new account starts pending; its activation link is shown once, here.
      const account = await store.ensureUser(tx, body.spec.subject, 'pending');
      const id = await store.insertMembership(tx, organizationId, account.id, this.values(body), auth.principal.subject);
      const wire = userToWire((await store.getMembership(tx, organizationId, id))!);
      return account.created ? { ...wire, status: { ...wire.status, signupLink: await this.signupLink(tx, account.id) } } : wire;
    });
  }

  async update(auth: RequestAuth, organizationId: string, id: string, body: UserWrite) {
    const acl = await auth.acl(organizationId); // before the transaction: PGlite has one connection
    return this.db.transaction(async (tx) => {
      const current = await store.getMembership(tx, organizationId, id);
      if (!current) throw new NotFound('user not found');
      if (current.email.toLowerCase() !== body.spec.subject.toLowerCase()) {
        throw new InvalidRequest('spec.subject cannot be changed; delete the user and add the new address');
      }
      await this.roles.requireGroupsGrantable(tx, acl, organizationId, body.spec.groupIDs);
      const values = this.values(body, current.name);
      await store.updateMembership(tx, organizationId, id, values, auth.principal.subject);
      return userToWire((await store.getMembership(tx, organizationId, id))!);
    });
  }

  async delete(organizationId: string, id: string) {
    if (!(await store.deleteMembership(this.db, organizationId, id))) throw new NotFound('user not found');
  }

  private values(body: UserWrite, currentName?: string): store.MembershipValues {
    return {
      metadata: body.metadata ?? { name: currentName ?? defaultName(body.spec.subject) },
      state: body.spec.state,
      groupIds: body.spec.groupIDs,
    };
  }
}
