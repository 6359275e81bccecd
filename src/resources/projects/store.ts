import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import { metadataValues, type MetadataRow } from '../common/metadata.ts';
import { pageSql, type PageQuery } from '../common/pagination.ts';
import { linkedIds, replaceLinks } from '../common/references.ts';
import type { ProjectWrite } from './schemas.ts';

export interface ProjectRow extends MetadataRow {
  organization_id: string;
  deletion_time: Date | null;
  group_ids: string[];
}

const select = `SELECT p.id, p.organization_id, p.name, p.description, p.tags, p.created_at, p.created_by,
    p.modified_at, p.modified_by, p.deletion_time, ${linkedIds('projectGroups', 'left', 'p')} AS group_ids
  FROM projects p`;

/** `only`: restrict to these project IDs (callers with project-level read alone). */
export async function listProjects(db: Queryable, organizationId: string, page: PageQuery, only?: string[]): Promise<ProjectRow[]> {
  const params: unknown[] = [organizationId];
  let where = 'p.organization_id = $1';
  if (only) {
    params.push(only);
    where += ' AND p.id = ANY($2::uuid[])';
  }
  return (await db.query<ProjectRow>(`${select} WHERE ${where}${pageSql('p', page, params)}`, params)).rows;
}

export async function getProject(db: Queryable, organizationId: string, id: string): Promise<ProjectRow | undefined> {
  return (await db.query<ProjectRow>(`${select} WHERE p.organization_id = $1 AND p.id = $2`, [organizationId, id])).rows[0];
}

export async function insertProject(db: Queryable, organizationId: string, body: ProjectWrite, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO projects (id, organization_id, name, description, tags, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, organizationId, ...metadataValues(body.metadata), actor],
  );
  await replaceLinks(db, 'projectGroups', 'left', organizationId, id, body.spec.groupIDs);
  return id;
}

export async function updateProject(db: Queryable, organizationId: string, id: string, body: ProjectWrite, actor: string): Promise<void> {
  await db.query(
    `UPDATE projects SET name = $3, description = $4, tags = $5, modified_at = now(), modified_by = $6
      WHERE organization_id = $1 AND id = $2`,
    [organizationId, id, ...metadataValues(body.metadata), actor],
  );
  await replaceLinks(db, 'projectGroups', 'left', organizationId, id, body.spec.groupIDs);
}

/** Starts deletion; the deprovisioner removes the row and, by cascade, its allocations. */
export async function markProjectDeleted(db: Queryable, organizationId: string, id: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE projects SET deletion_time = COALESCE(deletion_time, now()) WHERE organization_id = $1 AND id = $2',
    [organizationId, id],
  );
  return result.rowCount > 0;
}
