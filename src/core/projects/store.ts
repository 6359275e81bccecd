/** SQL of projects (tables projects, project_groups). */
import { randomUUID } from 'node:crypto';
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { linkedIds, links, replaceLinks } from '../common/links.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { ProjectInput, ProjectRecord } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  projects_name_key: 'a project with this name already exists',
};

const select = `SELECT p.id, p.organization_id, p.name, p.description, p.tags, p.created_at, p.created_by,
    p.modified_at, p.modified_by, p.deletion_time, ${linkedIds(links.projectGroups, 'left', 'p')} AS group_ids
  FROM projects p`;

/** `only`: restrict to these project IDs (callers with project-level read alone). */
export async function listProjects(db: Queryable, organizationId: string, page: PageQuery, only?: string[]): Promise<ProjectRecord[]> {
  const params: unknown[] = [organizationId];
  let where = 'p.organization_id = $1';
  if (only) {
    params.push(only);
    where += ' AND p.id = ANY($2::uuid[])';
  }
  return (await db.query<ProjectRecord>(`${select} WHERE ${where}${pageSql('p', page, params)}`, params)).rows;
}

export async function getProject(db: Queryable, organizationId: string, id: string): Promise<ProjectRecord | undefined> {
  return (await db.query<ProjectRecord>(`${select} WHERE p.organization_id = $1 AND p.id = $2`, [organizationId, id])).rows[0];
}

export async function insertProject(db: Queryable, organizationId: string, input: ProjectInput, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    'INSERT INTO projects (id, organization_id, name, description, tags, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, organizationId, ...metadataValues(input.metadata), actor],
    { notes: true },
  );
  await replaceLinks(db, links.projectGroups, 'left', organizationId, id, input.groupIds);
  return id;
}

export async function updateProject(db: Queryable, organizationId: string, id: string, input: ProjectInput, actor: string): Promise<void> {
  await db.query(
    `UPDATE projects SET name = $3, description = $4, tags = $5, modified_at = now(), modified_by = $6
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(input.metadata), actor],
    { notes: true },
  );
  await replaceLinks(db, links.projectGroups, 'left', organizationId, id, input.groupIds);
}

/** Starts deletion; purgeDeleted removes the row and, by cascade, its allocations. */
export async function markProjectDeleted(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE projects SET deletion_time = COALESCE(deletion_time, now()) WHERE organization_id = $1 AND id = $2',
    [organizationId, id],
    { notes: true },
  );
  return result.rowCount > 0;
}

export async function purgeDeletedProjects(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM projects WHERE deletion_time IS NOT NULL', undefined, { notes: true })).rowCount;
}

/** The live projects a group is attached to (Mist's "site group"). */
export async function projectsWithGroup(db: Queryable, organizationId: string, groupId: string): Promise<string[]> {
  const result = await db.query<{ project_id: string }>(
    `SELECT pg.project_id FROM project_groups pg JOIN projects p ON p.organization_id = pg.organization_id AND p.id = pg.project_id
      WHERE pg.organization_id = $1 AND pg.group_id = $2 AND p.deletion_time IS NULL ORDER BY pg.project_id`,
    [organizationId, groupId],
  );
  return result.rows.map((r) => r.project_id);
}
