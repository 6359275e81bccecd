/**
 * RFC 8693 token exchange for workloads: a JWT from an issuer a service account's trust
 * policy names buys a short-lived access token of that service account. The subject token is
 * the credential, so no client authentication is needed (§2.1 makes it optional); the access
 * token's life is at most what is left of the subject token's, and at most the configured
 * access-token lifetime.
 */
import type { Core } from '../../../core/index.ts';
import type { TokenResponse } from '../../../core/sessions/tokens.ts';
import { InvalidRequest } from '../../../kernel/errors.ts';

export const tokenExchangeGrantType = 'urn:ietf:params:oauth:grant-type:token-exchange';
const jwtTokenTypes = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];

export async function exchangeToken(core: Core, form: Record<string, string | undefined>, ip: string): Promise<TokenResponse & { issued_token_type: string }> {
  if (!form.subject_token) throw new InvalidRequest('subject_token is required');
  if (!form.subject_token_type || !jwtTokenTypes.includes(form.subject_token_type)) {
    throw new InvalidRequest(`subject_token_type must be one of ${jwtTokenTypes.join(', ')}`);
  }
  if (form.requested_token_type && form.requested_token_type !== 'urn:ietf:params:oauth:token-type:access_token') {
    throw new InvalidRequest('requested_token_type may only be urn:ietf:params:oauth:token-type:access_token');
  }
  const exchanged = await core.trustPolicies.exchange(form.subject_token, { ip });
  const accessToken = await core.signer.accessToken({
    sub: exchanged.serviceAccountId,
    clientId: `trustpolicy:${exchanged.policyId}`,
    serviceAccount: { id: exchanged.serviceAccountId, organizationId: exchanged.organizationId },
    ttlSeconds: exchanged.ttlSeconds,
  });
  return {
    access_token: accessToken,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer',
    expires_in: exchanged.ttlSeconds,
  } as TokenResponse & { issued_token_type: string };
}
