/**
 * Account activation. An account created through the API starts `pending`; the link made
 * for it (`/api/v1/signup?token=...`, optionally `&clientID=` to land on that client's home
 * page) activates it once, before it expires.
 */
import type { Queryable } from '../db/db.ts';
import type { RouteModule } from '../resources/common/routing.ts';
import { getClient } from '../resources/oauth2clients/store.ts';
import { generateSecret, type SecretHasher } from '../tokens/secrets.ts';
import { html } from '../views/html.ts';
import { page } from '../views/layout.ts';
import { redirectWith } from './authorization-request.ts';
import { respond, secureCookies, showError, type FlowResult } from './respond.ts';

/** Makes the activation link of a new account (the token is only ever in this link). */
export async function createSignupLink(db: Queryable, hasher: SecretHasher, issuer: string, userId: string, ttlSeconds: number): Promise<string> {
  const token = generateSecret('sgn');
  await db.query(
    `INSERT INTO signup_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [hasher.hash(token), userId, ttlSeconds],
  );
  return `${issuer}/api/v1/signup?token=${token}`;
}

export const signupRoutes: RouteModule = (app, { db, hasher, config }) => {
  const activate = async (token: string | undefined, clientID: string | undefined): Promise<FlowResult> => {
      const client = clientID ? await getClient(db, clientID) : undefined;
      const activated = token?.startsWith('tsr_sgn_')
        ? await db.transaction(async (tx) => {
            const used = await tx.query<{ user_id: string }>(
              `UPDATE signup_tokens SET consumed_at = now()
                WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > now() RETURNING user_id`,
              [hasher.hash(token)],
            );
            if (!used.rows[0]) return false;
            await tx.query(`UPDATE users SET state = 'active' WHERE id = $1 AND state = 'pending'`, [used.rows[0].user_id]);
            return true;
          })
        : false;
      if (!activated) {
        if (client?.error_uri) return { redirect: redirectWith(client.error_uri, { error: 'invalid_request' }) };
        return showError(400, 'Link not valid', 'This activation link is not valid: it was already used or has expired.');
      }
      if (client?.home_uri) return { redirect: client.home_uri };
      return { status: 200, html: page('Account active', html`<h1>Your account is active</h1><p class="lead">You can now sign in.</p>`) };
  };
  app.get('/api/v1/signup', {
    schema: { operationId: 'signup', tags: ['oidc'] },
    handler: async (req, reply) => {
      const { token, clientID } = req.query as { token?: string; clientID?: string };
      return respond(reply, await activate(token, clientID), secureCookies(config.issuer));
    },
  });
};
