/** Organization API tokens: named, scoped machine credentials (docs/apitokens.md). */

/** A role granted to a token, at organization scope or in one project. */
export interface ApiTokenPrivilege {
  roleId: string;
  projectId?: string;
}

/** An opaque grant for the platform's other services, stored and returned as given. */
export interface ApiTokenResource {
  type: string;
  path: string;
  scopes: string[];
}

export interface ApiTokenRecord {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  resources: ApiTokenResource[];
  source_ips: string[];
  expires_at: Date | null;
  active: boolean;
  /** The secret's first and last four characters (`tsr_...Ab3x`), for masked displays. */
  secret_hint: string;
  /** Requests per hour; null: the organization policy's default. */
  rate_limit_per_hour: number | null;
  /** In the shape commands use (the store maps the columns). */
  privileges: ApiTokenPrivilege[];
  /** When a rotation's previous secret stops working, while it still does. */
  previous_valid_until: Date | null;
  created_at: Date;
  created_by: string | null;
  modified_at: Date | null;
  modified_by: string | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

export interface ApiTokenInput {
  name: string;
  description?: string;
  privileges: ApiTokenPrivilege[];
  resources?: ApiTokenResource[];
  sourceIps?: string[];
  /** Fixed at creation; ignored on update. */
  expiresAt?: Date | null;
  active?: boolean;
  /** Its own request budget per hour; null or left out: the organization policy's. */
  rateLimitPerHour?: number | null;
}

/** Some of a token's fields: what a partial update (Docker Hub's PATCH, Mist's PUT) changes; the rest stays. */
export type ApiTokenPatch = Partial<Omit<ApiTokenInput, 'expiresAt'>>;

/** A token's current fields as the input that would write them again. */
export function inputOf(token: ApiTokenRecord): ApiTokenInput {
  return {
    name: token.name,
    description: token.description ?? undefined,
    privileges: token.privileges,
    resources: token.resources,
    sourceIps: token.source_ips,
    active: token.active,
    rateLimitPerHour: token.rate_limit_per_hour,
  };
}

export interface ApiTokenPolicy {
  /** The longest lifetime a new token may have, in seconds; null: no limit. */
  maxLifetimeSeconds: number | null;
  requireExpiry: boolean;
  /** Tokens an organization may hold; expired and inactive ones count until deleted. */
  maxTokens: number;
  /** The default request budget per token and hour (enforced by the rate limiter). */
  rateLimitPerHour: number;
}

export type ApiTokenState = 'active' | 'inactive' | 'expired';

export interface ApiTokenFilter {
  state?: ApiTokenState;
  /** Case-insensitive substring of the name. */
  search?: string;
  expiresBefore?: Date;
  lastUsedBefore?: Date;
}

/** What the hot path reads: one row, by either the current or the previous secret's hash. */
export interface ApiTokenCredential {
  id: string;
  organization_id: string;
  name: string;
  token_hash: string;
  previous_token_hash: string | null;
  matched_previous: boolean;
  /** Until when the previous secret works (null: no rotation is in its grace period). */
  previous_valid_until: Date | null;
  active: boolean;
  expires_at: Date | null;
  organization_deleting: boolean;
  source_ips: string[];
  last_used_at: Date | null;
  /** For introspection (RFC 7662), which answers from this cached row. */
  created_at: Date;
  resources: ApiTokenResource[];
  /** The token's own budget, else its organization's policy; null: the configured default. */
  rate_limit_per_hour: number | null;
}

/** What introspection (RFC 7662) tells of a working token. */
export type ApiTokenIntrospection = Pick<ApiTokenCredential, 'organization_id' | 'name' | 'created_at' | 'expires_at' | 'resources' | 'source_ips'>;
