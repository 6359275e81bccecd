/**
 * Users and accounts. An account (table users) is one person, global, found by email or by
 * a linked upstream identity; a user of the API is an account's membership of one
 * organization (table organization_users).
 */
import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export type UserState = 'active' | 'pending' | 'suspended';

export interface MembershipRecord extends MetadataRecord {
  organization_id: string;
  email: string;
  state: UserState;
  last_active: Date | null;
  group_ids: string[];
}

export interface MembershipInput {
  /** Optional on the wire: the name then comes from the email's local part. */
  metadata?: Metadata;
  subject: string;
  state: UserState;
  groupIds: string[];
}

export interface AccountRecord {
  id: string;
  email: string;
  state: string;
}

/** Who an upstream identity provider says signed in (with a verified email). */
export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  email: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  picture?: string;
}

export interface Profile {
  email: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
}
