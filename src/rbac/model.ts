/** The RBAC vocabulary shared by roles, ACLs and route permissions. */
export const operations = ['create', 'read', 'update', 'delete'] as const;
export type Operation = (typeof operations)[number];

export type ScopeLevel = 'global' | 'organization' | 'project';

/** A role's grants per scope level: endpoint name (e.g. `identity:groups`) to operations. */
export type RoleScopes = Partial<Record<ScopeLevel, Record<string, Operation[]>>>;

export interface Role {
  id: string;
  name: string;
  description: string;
  protected: boolean;
  scopes: RoleScopes;
}

/** Who is calling. `subject` is what createdBy/modifiedBy record. */
export type Principal =
  | { kind: 'system'; subject: string; roleNames: string[] }
  | { kind: 'service_account'; subject: string; serviceAccountId: string; organizationId: string }
  | { kind: 'api_token'; subject: string; apiTokenId: string; organizationId: string; rateLimitPerHour?: number }
  /** `scope`: what the access token was granted (OIDC userinfo releases claims by it); none for other credentials. */
  | { kind: 'user'; subject: string; userId: string; scope?: string };

export const platformAdministratorRole = 'platform-administrator';
