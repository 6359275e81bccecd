/**
 * The interactive login, from the authorization request to the code (OIDC Core §3.1):
 *   authorize -> login page -> login (provider chosen) -> upstream -> callback
 *   -> [onboarding] -> finish (session, code, single-sign-on cookie) -> client.
 * Every step reads and writes its state in the database, so any instance can take the
 * next step. Routes (flow-routes.ts) only translate HTTP to these calls and back.
 */
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { getClient, type ClientRow } from '../resources/oauth2clients/store.ts';
import { generateSecret, type SecretHasher } from '../tokens/secrets.ts';
import { decrypt, encrypt } from '../tokens/server-secret.ts';
import { loginPage } from '../views/pages.ts';
import { Onboarding } from './onboarding.ts';
import { showError, type FlowResult } from './respond.ts';
import { AuthorizationError, redirectWith, validateAuthorizationRequest } from './authorization-request.ts';
import { csrfMatches, csrfToken, sessionCookie } from './browser.ts';
import * as logins from './login-store.ts';
import { chooseProvider, systemProviders, type SystemProvider } from './provider-choice.ts';
import * as store from './store.ts';
import { UpstreamError, type UpstreamProviders } from './upstream.ts';

export interface FlowDeps {
  db: Db;
  hasher: SecretHasher;
  config: Config;
  encryptionKey: Buffer;
  csrfKey: Buffer;
  upstream: UpstreamProviders;
}

export class LoginFlow {
  /** A newcomer's detour before `finish` (TESSERA_ONBOARDING). */
  readonly onboarding: Onboarding;

  constructor(readonly deps: FlowDeps) {
    this.onboarding = new Onboarding(this);
  }

  private get db() {
    return this.deps.db;
  }

  private hash(secret: string) {
    return this.deps.hasher.hash(secret);
  }

  /** GET|POST /oauth2/v2/authorization */
  async authorize(params: Record<string, string | undefined>, browserId: string, ssoToken?: string): Promise<FlowResult> {
    let validated: Awaited<ReturnType<typeof validateAuthorizationRequest>>;
    try {
      validated = await validateAuthorizationRequest(this.db, params);
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      if (error.redirect) return this.redirectError(error.redirect.uri, error.redirect.state, error.error, error.message);
      return showError(400, 'Cannot sign in', error.message);
    }
    const { client, request } = validated;
    // Single sign-on: an existing Tessera session answers without interaction (OIDC Core
    // §3.1.2.3), unless the client asks for a fresh login or the session is older than max_age.
    if (!request.prompt.includes('login') && !request.prompt.includes('select_account') && ssoToken) {
      const sso = await store.findBrowserSession(this.db, this.hash(ssoToken));
      const fresh = sso && (request.maxAge === undefined || (Date.now() - sso.auth_time.getTime()) / 1000 <= request.maxAge);
      if (fresh) return { redirect: await this.issueCode(request, sso.user_id, sso.auth_time) };
    }
    if (request.prompt.includes('none')) return this.redirectError(request.redirectUri, request.state, 'login_required', 'the user must sign in');
    const state = generateSecret('lgn');
    await logins.createLoginRequest(this.db, this.hash(state), request, this.hash(browserId));
    const providers = await systemProviders(this.db);
    if (client.login_uri) {
      // The client renders its own login page and posts the choice back (as in the original).
      return {
        redirect: redirectWith(client.login_uri, {
          state,
          callback: `${this.deps.config.issuer}/oauth2/v2/login`,
          providers: [...new Set(providers.map((p) => p.type).filter(Boolean))].join(' '),
        }),
      };
    }
    return { status: 200, html: this.loginPage(client, state, browserId, providers, request.loginHint) };
  }

  /** POST /oauth2/v2/login: a provider button or an email whose domain picks the provider. */
  async login(form: Record<string, string | undefined>, browserId: string | undefined): Promise<FlowResult> {
    const found = await this.openRequest(form.state);
    if (!found) return showError(400, 'Sign-in expired', 'This sign-in has expired or was already used. Start again from the application.');
    const { row, client } = found;
    // A client-rendered login page posts from its own origin, without our cookie or CSRF
    // token; the unguessable, single-use state authorizes it, and the callback still
    // checks the browser.
    if (!client.login_uri && !this.sameBrowser(row, browserId, form.state!, form.csrf)) {
      return showError(403, 'Cannot sign in', 'The form could not be verified. Start again from the application.');
    }
    const providers = await systemProviders(this.db);
    const providerId = await chooseProvider(this.db, form, providers);
    if (typeof providerId !== 'string') {
      return { status: 400, html: this.loginPage(client, form.state!, browserId ?? '', providers, form.email, providerId.error) };
    }
    const provider = await this.deps.upstream.load(providerId);
    if (!provider) return showError(400, 'Cannot sign in', 'That identity provider is not available.');
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const sealed = encrypt(this.deps.encryptionKey, JSON.stringify({ nonce: checks.nonce, codeVerifier: checks.codeVerifier }), `login:${row.id}`);
    await logins.startUpstream(this.db, row.id, provider.id, this.hash(checks.state), sealed);
    try {
      const url = await this.deps.upstream.authorizationUrl(provider, checks, {
        loginHint: form.email || row.request.loginHint,
        prompt: row.request.prompt.includes('login') ? 'login' : undefined,
        maxAge: row.request.maxAge,
      });
      return { redirect: url.href };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return showError(502, 'Cannot sign in', 'The identity provider cannot be reached right now. Try again in a moment.');
    }
  }

  /** GET /oidc/callback: the upstream answer. */
  async callback(url: URL, browserId: string | undefined): Promise<FlowResult> {
    const state = url.searchParams.get('state');
    const row = state ? await logins.consumeUpstreamState(this.db, this.hash(state)) : undefined;
    if (!row || !row.provider_id) return showError(400, 'Sign-in expired', 'This sign-in answer was already used or has expired. Start again from the application.');
    if (!row.browser_hash || !browserId || row.browser_hash !== this.hash(browserId)) {
      return showError(403, 'Cannot sign in', 'This sign-in was started in another browser. Start again from the application.');
    }
    const request = row.request;
    if (url.searchParams.has('error')) {
      return this.redirectError(request.redirectUri, request.state, 'access_denied', 'the identity provider did not sign the user in');
    }
    const provider = await this.deps.upstream.load(row.provider_id);
    const secrets = JSON.parse(decrypt(this.deps.encryptionKey, row.upstream_secrets_ciphertext!, `login:${row.id}`));
    let identity: store.UpstreamIdentity;
    try {
      identity = await this.deps.upstream.exchange(provider!, url, { state: state!, ...secrets });
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return this.redirectError(request.redirectUri, request.state, 'access_denied', error.message);
    }
    const account = await this.db.transaction((tx) => store.findAccountForIdentity(tx, identity, provider!.id));
    if (!account) {
      if (this.deps.config.onboarding) return this.onboarding.start(row, { ...identity, providerId: provider!.id }, browserId);
      return this.redirectError(request.redirectUri, request.state, 'access_denied', 'there is no account for this user');
    }
    if (account.state !== 'active') {
      return this.redirectError(request.redirectUri, request.state, 'access_denied', `the account is ${account.state}`);
    }
    return this.finish(row, account.id);
  }


  /** Completes a login request: a code for the client and a single-sign-on cookie. */
  async finish(row: logins.LoginRequestRow, userId: string): Promise<FlowResult> {
    if (!(await logins.completeLoginRequest(this.db, row.id))) {
      return showError(400, 'Sign-in expired', 'This sign-in was already completed.');
    }
    const authTime = new Date();
    const redirect = await this.issueCode(row.request, userId, authTime);
    const sso = generateSecret('ses');
    const ttl = this.deps.config.refreshTokenTtl;
    await store.createBrowserSession(this.db, this.hash(sso), userId, authTime, ttl);
    return { redirect, cookies: [{ name: sessionCookie, value: sso, maxAge: ttl }] };
  }

  /** A session for the user at the client and an authorization code for it (60 s, single use). */
  async issueCode(request: logins.AuthorizationRequest, userId: string, authTime: Date): Promise<string> {
    const code = generateSecret('cod');
    await this.db.transaction(async (tx) => {
      const sessionId = await store.createSession(tx, {
        userId,
        clientId: request.clientId,
        scope: request.scope,
        authTime,
        ttlSeconds: this.deps.config.refreshTokenTtl,
        single: this.deps.config.sessionsPerClient === 'single',
      });
      await store.insertCode(tx, {
        hash: this.hash(code),
        sessionId,
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        nonce: request.nonce,
        scope: request.scope,
      });
    });
    return redirectWith(request.redirectUri, { code, state: request.state, iss: this.deps.config.issuer });
  }

  async openRequest(state: string | undefined): Promise<{ row: logins.LoginRequestRow; client: ClientRow } | undefined> {
    if (!state || !state.startsWith('tsr_lgn_')) return undefined;
    const row = await logins.findOpenLoginRequest(this.db, this.hash(state));
    const client = row ? await getClient(this.db, row.client_id) : undefined;
    return row && client ? { row, client } : undefined;
  }

  sameBrowser(row: logins.LoginRequestRow, browserId: string | undefined, state: string, csrf: unknown): boolean {
    return !!browserId && row.browser_hash === this.hash(browserId) && csrfMatches(this.deps.csrfKey, browserId, state, csrf);
  }

  redirectError(uri: string, state: string | undefined, error: string, description: string): FlowResult {
    return { redirect: redirectWith(uri, { error, error_description: description, state, iss: this.deps.config.issuer }) };
  }

  private loginPage(client: ClientRow, state: string, browserId: string, providers: SystemProvider[], loginHint?: string, error?: string): string {
    return loginPage({
      clientName: client.description || client.name,
      state,
      csrf: csrfToken(this.deps.csrfKey, browserId, state),
      providers: providers.map((p) => ({ id: p.id, label: p.label })),
      loginHint,
      error,
    });
  }
}
