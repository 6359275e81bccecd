import type { Db } from '../../db/db.ts';
import { Conflict, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { projectsAllowing } from '../../rbac/acl.ts';
import type { Caller } from '../../rbac/caller.ts';
import { changedFields, idList, metadataChanges } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { GroupService } from '../groups/service.ts';
import type { ProjectInput, ProjectRecord } from './model.ts';
import * as store from './store.ts';

export type { ProjectInput, ProjectRecord } from './model.ts';

const projectNotFound = 'project not found';

/** What was read of a project, if it exists and is not being deleted; else the refusal (404, 409). */
export function liveProject<P extends { deletion_time: Date | null }>(project: P | undefined): P {
  if (!project) throw new NotFound(projectNotFound);
  if (project.deletion_time) throw new Conflict('the project is being deleted');
  return project;
}

export class ProjectService {
  constructor(
    private readonly db: Db,
    private readonly groups: GroupService,
    private readonly events: EventSink,
  ) {
    db.explainConstraints(store.constraints);
  }

  /** The projects a group of the organization is attached to. */
  projectsWithGroup(organizationId: string, groupId: string): Promise<string[]> {
    return store.projectsWithGroup(this.db, organizationId, groupId);
  }

  /** Organization-level readers see every project; others see the projects they may read. */
  async list(caller: Caller, organizationId: string, page: PageQuery): Promise<Listing<ProjectRecord>> {
    const only = projectsAllowing(await caller.acl(organizationId), organizationId, 'identity:projects', 'read');
    return finishPage(page, await store.listProjects(this.db, organizationId, page, only));
  }

  async get(organizationId: string, id: string): Promise<ProjectRecord> {
    const row = await store.getProject(this.db, organizationId, id);
    if (!row) throw new NotFound(projectNotFound);
    return row;
  }

  /** A project that exists and is not being deleted (allocations are refused in one that is). */
  async requireLive(organizationId: string, id: string): Promise<ProjectRecord> {
    return liveProject(await store.getProject(this.db, organizationId, id));
  }

  async create(caller: Caller, organizationId: string, input: ProjectInput): Promise<ProjectRecord> {
    return this.db.transaction(async () => {
      await this.groups.requireGrantable(caller, organizationId, input.groupIds);
      const id = await store.insertProject(this.db, organizationId, input, caller.subject);
      await this.events.record(caller.event({ type: 'project.created', organizationId, projectId: id, target: { kind: 'project', id } }));
      return this.get(organizationId, id);
    });
  }

  async update(caller: Caller, organizationId: string, id: string, input: ProjectInput): Promise<void> {
    await this.db.transaction(async () => {
      const current = await this.requireLive(organizationId, id);
      await this.groups.requireGrantable(caller, organizationId, input.groupIds);
      await store.updateProject(this.db, organizationId, id, input, caller.subject);
      await this.events.record(
        caller.event({
          changes: changedFields({ ...metadataChanges(current, input.metadata), 'spec.groupIDs': idList(current.group_ids, input.groupIds) }),
          type: 'project.updated',
          organizationId,
          projectId: id,
          target: { kind: 'project', id },
        }),
      );
    });
  }

  /** Starts the deletion (202); purgeDeleted finishes it. */
  async delete(caller: Caller, organizationId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.markProjectDeleted(this.db, organizationId, id))) throw new NotFound('project not found');
      await this.events.record(caller.event({ type: 'project.deleted', organizationId, projectId: id, target: { kind: 'project', id } }));
    });
  }

  purgeDeleted(): Promise<number> {
    return store.purgeDeletedProjects(this.db);
  }
}
