/** Quotas (an organization's limits per kind) and allocations (what a project's resources use). */
import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export interface QuotaUsageRecord {
  kind: string;
  display_name: string;
  description: string;
  default_quantity: number;
  quantity: number;
  committed: number;
  reserved: number;
}

export interface QuotaInput {
  kind: string;
  quantity: number;
}

export interface AllocationItem {
  kind: string;
  committed: number;
  reserved: number;
}

export interface AllocationRecord extends MetadataRecord {
  organization_id: string;
  project_id: string;
  resource_kind: string;
  resource_id: string;
  items: AllocationItem[];
}

export interface AllocationInput {
  metadata: Metadata;
  /** Kind and ID of the consuming resource, e.g. a Kubernetes cluster. */
  resourceKind: string;
  resourceId: string;
  items: AllocationItem[];
}
