/**
 * RFC 6749 §6 with rotation: every use returns a new refresh token and consumes the old
 * one; the core revokes the whole family on a replay (RFC 9700 §4.14.2).
 */
import { InvalidRequest, InvalidScope } from '../../../kernel/errors.ts';
import type { Grant } from './types.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle(core, client, form) {
    if (!form.refresh_token) throw new InvalidRequest('refresh_token is required');
    const session = await core.sessions.redeemRefreshToken(form.refresh_token, client.id);
    let scope = session.scope;
    if (form.scope) {
      // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
      const granted = new Set(session.scope.split(' '));
      const asked = form.scope.split(' ').filter(Boolean);
      if (asked.some((s) => !granted.has(s))) throw new InvalidScope('the requested scope exceeds the original grant');
      scope = asked.join(' ');
    }
    return core.tokens.forSession({ ...session, scope }, { refresh: true, idTokenAlg: client.id_token_signed_response_alg });
  },
};
