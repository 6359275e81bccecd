/** SQL of allocations (tables allocations, allocation_items). */
import { randomUUID } from 'node:crypto';
import type { ConstraintMeanings, Queryable } from '../../db/db.ts';
import { metadataValues } from '../common/metadata.ts';
import { type PageQuery, pageSql } from '../common/pagination.ts';
import type { AllocationInput, AllocationRecord } from './model.ts';

/** What this module's constraints mean to a caller (its service gives them to the Db). */
export const constraints: ConstraintMeanings = {
  allocations_name_key: 'an allocation with this name already exists in the project',
  allocations_project_id_resource_kind_resource_id_key: 'an allocation for this resource already exists in the project',
};

const select = `SELECT a.id, a.organization_id, a.project_id, a.name, a.description, a.tags, a.resource_kind, a.resource_id,
    a.created_at, a.created_by, a.modified_at, a.modified_by,
    COALESCE((SELECT json_agg(json_build_object('kind', i.kind, 'committed', i.committed, 'reserved', i.reserved) ORDER BY i.kind)
                FROM allocation_items i WHERE i.allocation_id = a.id), '[]'::json) AS items
  FROM allocations a`;

/** `only`: restrict to allocations in these projects (callers with project-level read alone). */
export async function listAllocations(db: Queryable, organizationId: string, page: PageQuery, only?: string[]): Promise<AllocationRecord[]> {
  const params: unknown[] = [organizationId];
  let where = 'a.organization_id = $1';
  if (only) {
    params.push(only);
    where += ' AND a.project_id = ANY($2::uuid[])';
  }
  return (await db.query<AllocationRecord>(`${select} WHERE ${where}${pageSql('a', page, params)}`, params)).rows;
}

export async function getAllocation(db: Queryable, organizationId: string, projectId: string, id: string): Promise<AllocationRecord | undefined> {
  const result = await db.query<AllocationRecord>(`${select} WHERE a.organization_id = $1 AND a.project_id = $2 AND a.id = $3`, [
    organizationId,
    projectId,
    id,
  ]);
  return result.rows[0];
}

async function writeItems(db: Queryable, id: string, input: AllocationInput) {
  await db.query('DELETE FROM allocation_items WHERE allocation_id = $1', [id]);
  const items = input.items;
  if (items.length) {
    await db.query(
      `INSERT INTO allocation_items (allocation_id, kind, committed, reserved)
       SELECT $1, unnest($2::text[]), unnest($3::int[]), unnest($4::int[])`,
      [id, items.map((i) => i.kind), items.map((i) => i.committed), items.map((i) => i.reserved)],
    );
  }
}

export async function insertAllocation(db: Queryable, organizationId: string, projectId: string, input: AllocationInput, actor: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO allocations (id, organization_id, project_id, name, description, tags, resource_kind, resource_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, organizationId, projectId, ...metadataValues(input.metadata), input.resourceKind, input.resourceId, actor],
  );
  await writeItems(db, id, input);
  return id;
}

export async function updateAllocation(
  db: Queryable,
  organizationId: string,
  projectId: string,
  id: string,
  input: AllocationInput,
  actor: string,
): Promise<void> {
  await db.query(
    `UPDATE allocations SET name = $4, description = $5, tags = $6, resource_kind = $7, resource_id = $8,
       modified_at = now(), modified_by = $9
     WHERE organization_id = $1 AND project_id = $2 AND id = $3`,
    [organizationId, projectId, id, ...metadataValues(input.metadata), input.resourceKind, input.resourceId, actor],
  );
  await writeItems(db, id, input);
}

export async function deleteAllocation(db: Queryable, organizationId: string, projectId: string, id: string): Promise<boolean> {
  const result = await db.query('DELETE FROM allocations WHERE organization_id = $1 AND project_id = $2 AND id = $3', [organizationId, projectId, id]);
  return result.rowCount > 0;
}
