/** Groups: named sets of members (users, service accounts) holding roles. */
import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export interface GroupRecord extends MetadataRecord {
  organization_id: string;
  user_ids: string[];
  service_account_ids: string[];
  role_ids: string[];
}

export interface GroupInput {
  metadata: Metadata;
  roleIds: string[];
  userIds: string[];
  serviceAccountIds: string[];
}
