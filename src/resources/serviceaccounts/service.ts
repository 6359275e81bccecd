import type { Db, Queryable } from '../../db/db.ts';
import type { CredentialService } from '../../credentials/service.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { Forbidden, NotFound } from '../../http/errors.ts';
import { allowOrganization } from '../../rbac/acl.ts';
import type { Operation } from '../../rbac/model.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { RoleService } from '../roles/service.ts';
import type { ServiceAccountWrite } from './schemas.ts';
import * as store from './store.ts';

const serviceAccountToWire = (row: store.ServiceAccountRow) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id },
  spec: { groupIDs: row.group_ids },
  status: { expiry: (row.expires_at ?? row.created_at).toISOString() },
});

export class ServiceAccountService {
  constructor(
    private readonly db: Db,
    private readonly roles: RoleService,
    private readonly credentials: CredentialService,
    private readonly tokenTtlSeconds: number,
  ) {}

  /** Whether the caller is this very service account (it may list and rotate itself). */
  private isSelf(auth: RequestAuth, organizationId: string, id?: string): boolean {
    const p = auth.principal;
    return p.kind === 'service_account' && p.organizationId === organizationId && (id === undefined || p.serviceAccountId === id);
  }

  private async allowedOrSelf(auth: RequestAuth, organizationId: string, op: Operation, id?: string): Promise<'all' | 'self'> {
    if (allowOrganization(await auth.acl(organizationId), organizationId, 'identity:serviceaccounts', op)) return 'all';
    if (this.isSelf(auth, organizationId, id)) return 'self';
    throw new Forbidden(`the caller lacks ${op} permission on identity:serviceaccounts at organization scope`);
  }

  async list(auth: RequestAuth, organizationId: string, query: Page) {
    const page = parsePage(query);
    const reach = await this.allowedOrSelf(auth, organizationId, 'read');
    const only = reach === 'self' && auth.principal.kind === 'service_account' ? auth.principal.serviceAccountId : undefined;
    return finishPage(page, await store.listServiceAccounts(this.db, organizationId, page, only), serviceAccountToWire);
  }

  async get(auth: RequestAuth, organizationId: string, id: string) {
    await this.allowedOrSelf(auth, organizationId, 'read', id);
    return serviceAccountToWire(await this.require(this.db, organizationId, id));
  }

  async create(auth: RequestAuth, organizationId: string, body: ServiceAccountWrite) {
    const acl = await auth.acl(organizationId); // before the transaction: PGlite has one connection
    return this.db.transaction(async (tx) => {
      await this.roles.requireGroupsGrantable(tx, acl, organizationId, body.spec.groupIDs);
      const id = await store.insertServiceAccount(tx, organizationId, body, auth.principal.subject);
      return this.withNewToken(tx, organizationId, id);
    });
  }

  async update(auth: RequestAuth, organizationId: string, id: string, body: ServiceAccountWrite) {
    const acl = await auth.acl(organizationId); // before the transaction: PGlite has one connection
    return this.db.transaction(async (tx) => {
      await this.require(tx, organizationId, id);
      await this.roles.requireGroupsGrantable(tx, acl, organizationId, body.spec.groupIDs);
      await store.updateServiceAccount(tx, organizationId, id, body, auth.principal.subject);
      return serviceAccountToWire(await this.require(tx, organizationId, id));
    });
  }

  /** Issues a new token; the previous one stops working in the same transaction. */
  async rotate(auth: RequestAuth, organizationId: string, id: string) {
    await this.allowedOrSelf(auth, organizationId, 'update', id);
    return this.db.transaction(async (tx) => {
      await this.require(tx, organizationId, id);
      return this.withNewToken(tx, organizationId, id);
    });
  }

  async delete(organizationId: string, id: string) {
    if (!(await store.deleteServiceAccount(this.db, organizationId, id))) throw new NotFound('service account not found');
  }

  private async require(db: Queryable, organizationId: string, id: string) {
    const row = await store.getServiceAccount(db, organizationId, id);
    if (!row) throw new NotFound('service account not found');
    return row;
  }

  private async withNewToken(tx: Queryable, organizationId: string, id: string) {
    const issued = await this.credentials.issueServiceAccountToken(tx, organizationId, id, this.tokenTtlSeconds);
    const wire = serviceAccountToWire(await this.require(tx, organizationId, id));
    return { ...wire, status: { expiry: issued.expiresAt!.toISOString(), accessToken: issued.token } };
  }
}
