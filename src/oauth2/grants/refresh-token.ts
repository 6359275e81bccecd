/**
 * RFC 6749 §6 with rotation: every use returns a new refresh token and consumes the old
 * one. Presenting a consumed token is a replay (RFC 9700 §4.14.2): the whole family (the
 * session, and every token issued in it) is revoked.
 */
import { InvalidGrant, InvalidRequest, InvalidScope } from '../../http/errors.ts';
import { issueSessionTokens } from '../issue.ts';
import * as store from '../store.ts';
import type { Grant } from './types.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle(ctx, client, form) {
    if (!form.refresh_token) throw new InvalidRequest('refresh_token is required');
    const token = form.refresh_token.startsWith('tsr_rft_') ? await store.consumeRefreshToken(ctx.db, ctx.hasher.hash(form.refresh_token)) : undefined;
    if (!token || token.client_id !== client.id) throw new InvalidGrant('the refresh token is not valid');
    if (token.replayed) {
      await store.revokeSession(ctx.db, token.id);
      throw new InvalidGrant('the refresh token was already used; its whole grant is revoked');
    }
    if (token.expired || token.revoked) throw new InvalidGrant('the refresh token has expired or was revoked');
    if (token.user_state !== 'active') throw new InvalidGrant('the user may not sign in');
    let scope = token.scope;
    if (form.scope) {
      // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
      const granted = new Set(token.scope.split(' '));
      const asked = form.scope.split(' ').filter(Boolean);
      if (asked.some((s) => !granted.has(s))) throw new InvalidScope('the requested scope exceeds the original grant');
      scope = asked.join(' ');
    }
    return issueSessionTokens(ctx, { ...token, scope }, { refresh: true });
  },
};
