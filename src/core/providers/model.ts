/**
 * Upstream identity providers. System providers (no organization) are the login buttons for
 * everyone; an organization's provider signs in its domain's members.
 */
import type { Metadata, MetadataRecord } from '../common/metadata.ts';

/** A provider belongs to an organization, or (null) to the whole system. */
export type Owner = string | null;

export type ProviderType = 'google' | 'microsoft' | 'github';

export interface ProviderRecord extends MetadataRecord {
  organization_id: string | null;
  type: ProviderType | null;
  issuer: string;
  client_id: string;
}

export interface ProviderInput {
  metadata: Metadata;
  type?: ProviderType;
  issuer: string;
  clientId: string;
  /** Write-only; undefined on update keeps the stored one. */
  clientSecret?: string;
}

/** A login button. */
export interface SystemProvider {
  id: string;
  type: ProviderType | null;
  label: string;
}

/** What the login needs to talk to a provider, with its secret decrypted. */
export interface LoginProvider {
  id: string;
  type: ProviderType | null;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  modifiedAt: number;
  /**
   * For an organization's own provider: the email domain it may vouch for. An organization
   * administrator controls that provider, so it must not sign in anyone outside the
   * organization's domain (that would take over other tenants' accounts). Null: any domain.
   */
  vouchesFor: string | null;
}
