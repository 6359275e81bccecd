/**
 * RFC 6749 §6 with rotation: every use returns a new refresh token and consumes the old
 * one, both or neither; the core revokes the whole family on a replay (RFC 9700 §4.14.2) and
 * narrows the scope when a narrower one is asked for.
 */
import { InvalidRequest } from '../../../kernel/errors.ts';
import type { Grant } from './types.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle(core, client, form) {
    if (!form.refresh_token) throw new InvalidRequest('refresh_token is required');
    const redeemed = await core.sessions.redeemRefreshToken(form.refresh_token, client.id, form.scope);
    return core.tokens.forSession(redeemed, client.id_token_signed_response_alg);
  },
};
