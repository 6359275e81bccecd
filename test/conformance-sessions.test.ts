/**
 * Issue 7, sessions in the browser: id_token_hint at the authorization endpoint, and logout
 * that asks before it acts and ends only this browser's session.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { createOrganization, userWithRole } from './fixtures.ts';
import { suite } from './helpers.ts';
import { clientRedirect, registerClient } from './support/world.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const verifier = 'v'.repeat(43);
const challenge = createHash('sha256').update(verifier).digest('base64url');

suite('conformance findings: browser sessions', (ctx) => {
  /** A user signed in, in a browser of their own: its cookie, and tokens for a client got through it. */
  async function signedIn(app: { id: string; secret?: string }, userId?: string) {
    const core = ctx().built.core;
    const user = userId ?? (await userWithRole(ctx(), await createOrganization(ctx().admin), 'reader')).userId;
    const sso = await core.sessions.startBrowserSession(user, new Date());
    const request = { clientId: app.id, redirectUri: clientRedirect, scope: 'openid email', codeChallenge: challenge, prompt: [] };
    const code = await core.sessions.issueCode(request, user, new Date(), sso.id);
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: clientRedirect, code_verifier: verifier, client_id: app.id });
    const tokens = await ctx().anonymous.request('POST', '/oauth2/v2/token', body.toString(), {
      ...form,
      authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`,
    });
    assert.equal(tokens.status, 200, tokens.text);
    return {
      user,
      cookie: `tessera_session=${sso.token}; tessera_browser=${'b'.repeat(43)}`,
      idToken: tokens.body.id_token as string,
      accessToken: tokens.body.access_token as string,
    };
  }
  const authorize = (app: { id: string }, extra: Record<string, string>, cookie: string) =>
    ctx().anonymous.request(
      'GET',
      `/oauth2/v2/authorization?${new URLSearchParams({ client_id: app.id, redirect_uri: clientRedirect, response_type: 'code', scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256', ...extra })}`,
      undefined,
      { cookie },
    );
  const errorOf = (res: { headers: Record<string, unknown> }) => new URL(String(res.headers.location)).searchParams.get('error');
  const active = async (token: string) => (await ctx().admin.as(token).get('/api/v1/acl')).status === 200;

  it('answers single sign-on only for the user an id_token_hint names (OIDC Core §3.1.2.1)', async () => {
    const app = await registerClient(ctx().admin);
    const here = await signedIn(app);
    const other = await signedIn(app);
    const same = await authorize(app, { id_token_hint: here.idToken, prompt: 'none' }, here.cookie);
    assert.ok(new URL(String(same.headers.location)).searchParams.get('code'), 'the hinted user is signed in: a code');
    assert.equal(errorOf(await authorize(app, { id_token_hint: other.idToken, prompt: 'none' }, here.cookie)), 'login_required');
    const fresh = await authorize(app, { id_token_hint: other.idToken }, here.cookie);
    assert.deepEqual([fresh.status, /Sign in/.test(fresh.text)], [200, true], 'another user: a fresh login');
    assert.equal(errorOf(await authorize(app, { id_token_hint: here.accessToken }, here.cookie)), 'invalid_request', 'an access token is no hint');
  });

  it('asks before signing out without a valid hint, then ends only this browser’s sessions', async () => {
    const app = await registerClient(ctx().admin);
    const laptop = await signedIn(app);
    // Another client: by default a new login at a client ends the user's last session there.
    const phoneApp = await registerClient(ctx().admin);
    const phone = await signedIn(phoneApp, laptop.user);
    const ask = await ctx().anonymous.request('GET', '/oauth2/v2/logout', undefined, { cookie: laptop.cookie });
    assert.equal(ask.status, 200);
    assert.match(ask.text, /Sign out\?/);
    assert.equal(await active(laptop.accessToken), true, 'nothing ended before the user confirms');
    const csrf = /name="csrf" value="([^"]+)"/.exec(ask.text)?.[1];
    const forged = await ctx().anonymous.request('POST', '/oauth2/v2/logout', 'confirm=yes&csrf=forged', { ...form, cookie: laptop.cookie });
    assert.equal(forged.status, 400);
    assert.equal(await active(laptop.accessToken), true);
    const confirmed = await ctx().anonymous.request('POST', '/oauth2/v2/logout', `confirm=yes&csrf=${csrf}`, { ...form, cookie: laptop.cookie });
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.text, /Signed out/);
    assert.equal(await active(laptop.accessToken), false, 'the session started in this browser ended');
    assert.equal(await active(phone.accessToken), true, 'the other browser keeps its session');
    assert.ok(
      new URL(String((await authorize(phoneApp, { prompt: 'none' }, phone.cookie)).headers.location)).searchParams.get('code'),
      'and its single sign-on',
    );
  });

  it('signs out at once with this browser’s ID token, and answers an access token as hint with an error page', async () => {
    const app = await registerClient(ctx().admin);
    const here = await signedIn(app);
    const out = await ctx().anonymous.request('GET', `/oauth2/v2/logout?id_token_hint=${here.idToken}`, undefined, { cookie: here.cookie });
    assert.deepEqual([out.status, /Signed out/.test(out.text)], [200, true]);
    assert.equal(await active(here.accessToken), false);
    const other = await signedIn(app);
    const wrong = await ctx().anonymous.request('GET', `/oauth2/v2/logout?id_token_hint=${other.accessToken}`, undefined, { cookie: other.cookie });
    assert.equal(wrong.status, 400);
    assert.match(String(wrong.headers['content-type']), /text\/html/);
    assert.match(wrong.text, /could not be verified/);
    assert.equal(await active(other.accessToken), true);
  });
});
