/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6). The code's bindings (client, redirect URI,
 * challenge) are checked before it is consumed, so a wrong presenter cannot burn it; the core
 * then consumes it atomically and revokes on a replay (§4.1.2).
 */
import { createHash } from 'node:crypto';
import { GrantRefused, InvalidRequest } from '../../../kernel/errors.ts';
import { clientOf, type Grant } from './types.ts';

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  parameters: ['code', 'code_verifier', 'redirect_uri'],
  authentication: 'client',
  async handle(context) {
    const { core, params } = context;
    const client = clientOf(context);
    if (!params.code) throw new InvalidRequest('code is required');
    if (!params.code_verifier) throw new InvalidRequest('code_verifier is required (PKCE)');
    const bound = await core.sessions.codeBindings(params.code);
    if (bound.client_id !== client.id) throw new GrantRefused('the authorization code was issued to another client');
    if (params.redirect_uri !== bound.redirect_uri) throw new GrantRefused('redirect_uri does not match the authorization request');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(params.code_verifier) || s256(params.code_verifier) !== bound.code_challenge) {
      throw new GrantRefused('code_verifier does not match the code challenge');
    }
    const redeemed = await core.sessions.redeemCode(params.code, client.grant_types.includes('refresh_token'));
    return core.issuance.forSession(redeemed, client.id_token_signed_response_alg, this.grantType);
  },
};
