/**
 * RFC 6749 §6 with rotation: every use returns a new refresh token and consumes the old
 * one, both or neither; the core revokes the whole family on a replay (RFC 9700 §4.14.2) and
 * narrows the scope when a narrower one is asked for.
 */
import { InvalidRequest } from '../../../kernel/errors.ts';
import { clientOf, type Grant } from './types.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope'],
  authentication: 'client',
  async handle(context) {
    const { core, params } = context;
    const client = clientOf(context);
    if (!params.refresh_token) throw new InvalidRequest('refresh_token is required');
    const redeemed = await core.sessions.redeemRefreshToken(params.refresh_token, client.id, params.scope);
    return core.issuance.forSession(redeemed, client.id_token_signed_response_alg, this.grantType);
  },
};
