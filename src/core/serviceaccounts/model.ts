import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export interface ServiceAccountRecord extends MetadataRecord {
  organization_id: string;
  /** When the current token expires. */
  expires_at: Date | null;
  group_ids: string[];
}

export interface ServiceAccountInput {
  metadata: Metadata;
  groupIds: string[];
}
