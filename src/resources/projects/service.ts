import type { Db, Queryable } from '../../db/db.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { Conflict, NotFound } from '../../http/errors.ts';
import { projectsAllowing } from '../../rbac/acl.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { RoleService } from '../roles/service.ts';
import type { ProjectWrite } from './schemas.ts';
import * as store from './store.ts';

const projectToWire = (row: store.ProjectRow) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id },
  spec: { groupIDs: row.group_ids },
});

export class ProjectService {
  constructor(
    private readonly db: Db,
    private readonly roles: RoleService,
  ) {}

  /** Organization-level readers see every project; others see the projects they may read. */
  async list(auth: RequestAuth, organizationId: string, query: Page) {
    const page = parsePage(query);
    const only = projectsAllowing(await auth.acl(organizationId), organizationId, 'identity:projects', 'read');
    return finishPage(page, await store.listProjects(this.db, organizationId, page, only), projectToWire);
  }

  async get(organizationId: string, id: string) {
    return projectToWire(await this.require(this.db, organizationId, id));
  }

  async create(auth: RequestAuth, organizationId: string, body: ProjectWrite) {
    const acl = await auth.acl(organizationId); // before the transaction: PGlite has one connection
    return this.db.transaction(async (tx) => {
      await this.roles.requireGroupsGrantable(tx, acl, organizationId, body.spec.groupIDs);
      const id = await store.insertProject(tx, organizationId, body, auth.principal.subject);
      return projectToWire(await this.require(tx, organizationId, id));
    });
  }

  async update(auth: RequestAuth, organizationId: string, id: string, body: ProjectWrite) {
    const acl = await auth.acl(organizationId); // before the transaction: PGlite has one connection
    await this.db.transaction(async (tx) => {
      const current = await this.require(tx, organizationId, id);
      if (current.deletion_time) throw new Conflict('the project is being deleted');
      await this.roles.requireGroupsGrantable(tx, acl, organizationId, body.spec.groupIDs);
      await store.updateProject(tx, organizationId, id, body, auth.principal.subject);
    });
  }

  async delete(organizationId: string, id: string) {
    if (!(await store.markProjectDeleted(this.db, organizationId, id))) throw new NotFound('project not found');
  }

  async require(db: Queryable, organizationId: string, id: string) {
    const row = await store.getProject(db, organizationId, id);
    if (!row) throw new NotFound('project not found');
    return row;
  }
}
