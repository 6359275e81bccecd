import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export interface ProjectRecord extends MetadataRecord {
  organization_id: string;
  deletion_time: Date | null;
  group_ids: string[];
}

export interface ProjectInput {
  metadata: Metadata;
  groupIds: string[];
}
