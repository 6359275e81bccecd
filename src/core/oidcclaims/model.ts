/** Custom claims of workload identity tokens, per organization and per project (docs/workload-identity.md). */

export type ClaimName = 'audience' | 'ttl';

export interface ClaimsRecord {
  organization_id: string;
  project_id: string | null;
  /** null: not customized at this scope. */
  audience: string[] | null;
  audience_updated_at: Date | null;
  ttl_ms: number | null;
  ttl_updated_at: Date | null;
}

/** A partial change: a field left out is left alone; an empty audience is a value. */
export interface ClaimsPatch {
  audience?: string[];
  ttl?: string;
}

/** What a token for a project gets: each claim from the project, else the organization, else the default. */
export interface ResolvedClaims {
  audience: string[];
  ttlMs: number;
}
