/** Row columns shared by every resource table, and their wire form. */
export interface MetadataRow {
  id: string;
  name: string;
  description: string | null;
  tags: { name: string; value: string }[];
  created_at: Date;
  created_by: string | null;
  modified_at: Date | null;
  modified_by: string | null;
  deletion_time?: Date | null;
  organization_id?: string | null;
  project_id?: string;
}

const iso = (date: Date | string) => new Date(date).toISOString();

/**
 * The `resourceReadMetadata` family. Tessera's resources are ready when written, so they
 * read `provisioned`/`healthy`, except while a delete is in progress (`deprovisioning`).
 */
export function readMetadata(row: MetadataRow) {
  return {
    id: row.id,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    ...(row.tags?.length ? { tags: row.tags } : {}),
    creationTime: iso(row.created_at),
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    ...(row.modified_at ? { modifiedTime: iso(row.modified_at) } : {}),
    ...(row.modified_by ? { modifiedBy: row.modified_by } : {}),
    ...(row.deletion_time ? { deletionTime: iso(row.deletion_time) } : {}),
    provisioningStatus: row.deletion_time ? ('deprovisioning' as const) : ('provisioned' as const),
    healthStatus: 'healthy' as const,
    ...(row.organization_id ? { organizationId: row.organization_id } : {}),
    ...(row.project_id ? { projectId: row.project_id } : {}),
  };
}

/** Column values of a write's metadata, in the order metadataColumns lists them. */
export function metadataValues(metadata: { name: string; description?: string; tags?: { name: string; value: string }[] }) {
  return [metadata.name, metadata.description ?? null, JSON.stringify(metadata.tags ?? [])];
}
