import type { ClientRecord } from '../../../core/clients/service.ts';
import type { Services } from '../../../core/index.ts';
import type { TokenResponse } from '../../../core/issuance/service.ts';

/** What a grant's handler gets: the core, the authenticated client (when the grant has one), its parameters. */
export interface GrantContext {
  core: Services;
  /** Undefined for a grant whose credential is in its parameters (token exchange). */
  client: ClientRecord | undefined;
  /** The grant's own parameters, each given at most once (RFC 6749 §3.2); others are not passed on. */
  params: Record<string, string | undefined>;
  /** The client's address, for audit records. */
  ip: string;
}

/**
 * One grant type of the token endpoint (RFC 6749 §4), an entry of the registry in token.ts, as
 * node-oidc-provider registers its grants: its name, the parameters it accepts, whether the
 * client authenticates, and a handler that checks the grant and asks the core's issuer for the
 * tokens. A new grant is one more entry.
 */
export interface Grant {
  grantType: string;
  parameters: readonly string[];
  /**
   * `client`: the client authenticates (RFC 6749 §2.3) and must be registered for the grant;
   * `none`: the grant's parameters carry the credential (RFC 8693 §2.1 makes client
   * authentication optional for token exchange).
   */
  authentication: 'client' | 'none';
  handle(context: GrantContext): Promise<TokenResponse>;
}

/** The authenticated client of a grant that has one. */
export function clientOf(context: GrantContext): ClientRecord {
  if (!context.client) throw new Error('this grant needs an authenticated client');
  return context.client;
}
