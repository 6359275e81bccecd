/** Wire forms shared by every resource of the native API. */
import type { MetadataRecord } from '../../core/common/metadata.ts';

const iso = (date: Date | string) => new Date(date).toISOString();

/**
 * The `resourceReadMetadata` family. Tessera's resources are ready when written, so they
 * read `provisioned`/`healthy`, except while a delete is in progress (`deprovisioning`).
 */
export function readMetadata(row: MetadataRecord) {
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

/** Scoped resources always carry their organization (and project) in their metadata. */
export const scopedMetadata = (row: MetadataRecord & { organization_id: string }) => ({ ...readMetadata(row), organizationId: row.organization_id });
