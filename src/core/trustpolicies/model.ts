/** Trust policies of service accounts: whose tokens a service account accepts in exchange (RFC 8693). */
export interface TrustPolicyRecord {
  id: string;
  organization_id: string;
  service_account_id: string;
  issuer: string;
  audiences: string[];
  /** A glob: `*` matches any run of characters, `?` one character. */
  subject_pattern: string;
  /** Claims the subject token must carry with exactly these values. */
  required_claims: Record<string, string | number | boolean>;
  created_at: Date;
  created_by: string | null;
}

export interface TrustPolicyInput {
  issuer: string;
  audiences: string[];
  subjectPattern: string;
  requiredClaims?: Record<string, string | number | boolean>;
}
