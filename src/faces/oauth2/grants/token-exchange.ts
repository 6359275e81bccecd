/**
 * RFC 8693 token exchange for workloads: a JWT from an issuer a service account's trust
 * policy names buys a short-lived access token of that service account. The subject token is
 * the credential, so no client authentication is needed (§2.1 makes it optional); the access
 * token's life is at most what is left of the subject token's, and at most the configured
 * access-token lifetime.
 */
import { InvalidRequest } from '../../../kernel/errors.ts';
import type { Grant } from './types.ts';

const jwtTokenTypes = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];

export const tokenExchangeGrant: Grant = {
  grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
  parameters: ['subject_token', 'subject_token_type', 'requested_token_type'],
  authentication: 'none',
  async handle({ core, params, ip }) {
    if (!params.subject_token) throw new InvalidRequest('subject_token is required');
    if (!params.subject_token_type || !jwtTokenTypes.includes(params.subject_token_type)) {
      throw new InvalidRequest(`subject_token_type must be one of ${jwtTokenTypes.join(', ')}`);
    }
    if (params.requested_token_type && params.requested_token_type !== 'urn:ietf:params:oauth:token-type:access_token') {
      throw new InvalidRequest('requested_token_type may only be urn:ietf:params:oauth:token-type:access_token');
    }
    const exchanged = await core.trustPolicies.exchange(params.subject_token, { ip });
    return core.issuance.forExchange(exchanged, this.grantType);
  },
};
