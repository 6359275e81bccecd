/** Organizations as the core reads and writes them. */
import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export interface OrganizationRecord extends MetadataRecord {
  organization_type: 'adhoc' | 'domain';
  domain: string | null;
  provider_scope: 'global' | 'organization' | null;
  provider_id: string | null;
  google_customer_id: string | null;
  deletion_time: Date | null;
}

export interface OrganizationInput {
  metadata: Metadata;
  organizationType: 'adhoc' | 'domain';
  domain?: string;
  providerScope?: 'global' | 'organization';
  providerId?: string;
  googleCustomerId?: string;
}
