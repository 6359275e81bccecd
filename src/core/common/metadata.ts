/** The metadata every named resource carries, as written and as stored. */
export interface Tag {
  name: string;
  value: string;
}

/** What a command sets: a label-safe name, an optional description and tags. */
export interface Metadata {
  name: string;
  description?: string;
  tags?: Tag[];
}

/** Row columns shared by every resource table. */
export interface MetadataRecord {
  id: string;
  name: string;
  description: string | null;
  tags: Tag[];
  created_at: Date;
  created_by: string | null;
  modified_at: Date | null;
  modified_by: string | null;
  deletion_time?: Date | null;
  organization_id?: string | null;
  project_id?: string;
}

/** Column values of a write's metadata: name, description, tags. */
export function metadataValues(metadata: Metadata) {
  return [metadata.name, metadata.description ?? null, JSON.stringify(metadata.tags ?? [])];
}

/** A Kubernetes label value: 1-63 characters, alphanumeric at both ends, `-_.` inside. */
export const labelValuePattern = '^[0-9A-Za-z](?:[0-9A-Za-z-_.]{0,61}[0-9A-Za-z])?$';
const labelValue = new RegExp(labelValuePattern);
export const isLabelValue = (text: string): boolean => labelValue.test(text);
