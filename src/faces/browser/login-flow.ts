/**
 * The interactive login, from the authorization request to the code (OIDC Core §3.1):
 *   authorize -> login page -> login (provider chosen) -> upstream -> callback
 *   -> [onboarding] -> finish (session, code, single-sign-on cookie) -> client.
 * Every step keeps its state in the core (login requests), so any instance can take the
 * next step. This class turns each step's outcome into a page or a redirect; the routes
 * (flow-routes.ts) only translate HTTP to these calls and back.
 */
import * as oidc from 'openid-client';
import type { ClientRecord } from '../../core/clients/service.ts';
import type { Core } from '../../core/index.ts';
import type { SystemProvider } from '../../core/providers/service.ts';
import { UpstreamError } from '../../core/providers/upstream.ts';
import type { LoginRequestRecord } from '../../core/sessions/login-requests.ts';
import type { AuthorizationRequest } from '../../core/sessions/service.ts';
import type { UpstreamIdentity } from '../../core/users/service.ts';
import { AuthorizationError, redirectWith, validateAuthorizationRequest } from './authorization-request.ts';
import { csrfMatches, csrfToken, sessionCookie } from './browser.ts';
import { Onboarding } from './onboarding.ts';
import { type FlowResult, showError } from './respond.ts';
import { loginPage } from './views/pages.ts';

export class LoginFlow {
  /** A newcomer's detour before `finish` (TESSERA_ONBOARDING). */
  readonly onboarding: Onboarding;

  constructor(
    readonly core: Core,
    readonly csrfKey: Buffer,
  ) {
    this.onboarding = new Onboarding(this);
  }

  private get issuer() {
    return this.core.config.issuer;
  }

  /** GET|POST /oauth2/v2/authorization */
  async authorize(params: Record<string, string | undefined>, browserId: string, ssoToken?: string): Promise<FlowResult> {
    let validated: Awaited<ReturnType<typeof validateAuthorizationRequest>>;
    try {
      validated = await validateAuthorizationRequest(this.core.clients, params);
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      if (error.redirect) return this.redirectError(error.redirect.uri, error.redirect.state, error.error, error.message);
      return showError(400, 'Cannot sign in', error.message);
    }
    const { client, request } = validated;
    // OIDC Core §3.1.2.1 id_token_hint: the user the client believes is signed in. Single sign-on
    // answers only for that user; another user's session means a fresh login (or login_required).
    let hintedUser: string | undefined;
    if (params.id_token_hint) {
      hintedUser = await this.core.issuance.verifyIdTokenHint(params.id_token_hint).then(
        (hint) => hint.sub,
        () => undefined,
      );
      if (!hintedUser) return this.redirectError(request.redirectUri, request.state, 'invalid_request', 'id_token_hint is not an ID token this server issued');
    }
    // Single sign-on: an existing Tessera session answers without interaction (OIDC Core
    // §3.1.2.3), unless the client asks for a fresh login or the session is older than max_age.
    if (!request.prompt.includes('login') && !request.prompt.includes('select_account') && ssoToken) {
      const sso = await this.core.sessions.browserSession(ssoToken);
      const fresh = sso && (request.maxAge === undefined || (Date.now() - sso.auth_time.getTime()) / 1000 <= request.maxAge);
      if (fresh && (!hintedUser || hintedUser === sso.user_id)) return { redirect: await this.issueCode(request, sso.user_id, sso.auth_time, sso.id) };
    }
    if (request.prompt.includes('none')) return this.redirectError(request.redirectUri, request.state, 'login_required', 'the user must sign in');
    const state = await this.core.logins.open(request, browserId);
    const providers = await this.core.providers.systemProviders();
    if (client.login_uri) {
      // The client renders its own login page and posts the choice back (as in the original).
      return {
        redirect: redirectWith(client.login_uri, {
          state,
          callback: `${this.issuer}/oauth2/v2/login`,
          providers: [...new Set(providers.map((p) => p.type).filter(Boolean))].join(' '),
        }),
      };
    }
    return { status: 200, html: this.loginPage(client, state, browserId, providers, request.loginHint) };
  }

  /** POST /oauth2/v2/login: a provider button or an email whose domain picks the provider. */
  async login(form: Record<string, string | undefined>, browserId: string | undefined): Promise<FlowResult> {
    const found = await this.openRequest(form.state);
    if (!found || !form.state) return showError(400, 'Sign-in expired', 'This sign-in has expired or was already used. Start again from the application.');
    const { row, client } = found;
    // A client-rendered login page posts from its own origin, without our cookie or CSRF
    // token; the unguessable, single-use state authorizes it, and the callback still
    // checks the browser.
    if (!client.login_uri && !this.sameBrowser(row, browserId, form.state, form.csrf)) {
      return showError(403, 'Cannot sign in', 'The form could not be verified. Start again from the application.');
    }
    const providers = await this.core.providers.systemProviders();
    const providerId = await this.core.providers.choose(form, providers);
    if (typeof providerId !== 'string') {
      return { status: 400, html: this.loginPage(client, form.state, browserId ?? '', providers, form.email, providerId.error) };
    }
    const provider = await this.core.providers.forLogin(providerId);
    if (!provider) return showError(400, 'Cannot sign in', 'That identity provider is not available.');
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    await this.core.logins.startUpstream(row, provider.id, checks.state, { nonce: checks.nonce, codeVerifier: checks.codeVerifier });
    try {
      const url = await this.core.upstream.authorizationUrl(provider, checks, {
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
  async callback(url: URL, browserId: string | undefined, from: { ip?: string; userAgent?: string } = {}): Promise<FlowResult> {
    const state = url.searchParams.get('state');
    const answer = state ? await this.core.logins.takeUpstreamAnswer(state) : undefined;
    if (!state || !answer) return showError(400, 'Sign-in expired', 'This sign-in answer was already used or has expired. Start again from the application.');
    const { row, secrets } = answer;
    if (!this.core.logins.startedIn(row, browserId) || !browserId) {
      return showError(403, 'Cannot sign in', 'This sign-in was started in another browser. Start again from the application.');
    }
    const request = row.request;
    const failed = async (description: string, subject?: string) => {
      await this.core.audit.refusal({
        action: 'login.failed',
        outcome: 'failure',
        actor: { kind: 'user', subject, ...from },
        target: { type: 'client', id: request.clientId },
        detail: description,
      });
      return this.redirectError(request.redirectUri, request.state, 'access_denied', description);
    };
    if (url.searchParams.has('error')) return failed('the identity provider did not sign the user in');
    const provider = row.provider_id ? await this.core.providers.forLogin(row.provider_id) : undefined;
    if (!provider) return showError(400, 'Cannot sign in', 'That identity provider is not available.');
    let identity: UpstreamIdentity;
    try {
      identity = await this.core.upstream.exchange(provider, url, { state, ...secrets });
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return failed(error.message);
    }
    const admission = await this.core.onboarding.admit(identity, provider.id);
    if (admission.outcome === 'onboarding') return this.onboarding.start(row, { ...identity, providerId: provider.id }, browserId);
    if (admission.outcome === 'refused') return failed(admission.reason, identity.email);
    return this.finish(row, admission.userId);
  }

  /** Completes a login request: a code for the client and a single-sign-on cookie. */
  async finish(row: LoginRequestRecord, userId: string): Promise<FlowResult> {
    if (!(await this.core.logins.complete(row))) {
      return showError(400, 'Sign-in expired', 'This sign-in was already completed.');
    }
    const authTime = new Date();
    const sso = await this.core.sessions.startBrowserSession(userId, authTime);
    const redirect = await this.issueCode(row.request, userId, authTime, sso.id);
    return { redirect, cookies: [{ name: sessionCookie, value: sso.token, maxAge: this.core.config.refreshTokenTtl }] };
  }

  /** The client's redirect with a new authorization code (RFC 6749 §4.1.2, RFC 9207 `iss`). */
  private async issueCode(request: AuthorizationRequest, userId: string, authTime: Date, browserSessionId: string): Promise<string> {
    const code = await this.core.sessions.issueCode(request, userId, authTime, browserSessionId);
    return redirectWith(request.redirectUri, { code, state: request.state, iss: this.issuer });
  }

  async openRequest(state: string | undefined): Promise<{ row: LoginRequestRecord; client: ClientRecord } | undefined> {
    const row = await this.core.logins.find(state);
    const client = row ? await this.core.clients.find(row.client_id) : undefined;
    return row && client ? { row, client } : undefined;
  }

  sameBrowser(row: LoginRequestRecord, browserId: string | undefined, state: string, csrf: unknown): boolean {
    return this.core.logins.startedIn(row, browserId) && csrfMatches(this.csrfKey, browserId, state, csrf);
  }

  redirectError(uri: string, state: string | undefined, error: string, description: string): FlowResult {
    return { redirect: redirectWith(uri, { error, error_description: description, state, iss: this.issuer }) };
  }

  private loginPage(client: ClientRecord, state: string, browserId: string, providers: SystemProvider[], loginHint?: string, error?: string): string {
    return loginPage({
      clientName: client.description || client.name,
      state,
      csrf: csrfToken(this.csrfKey, browserId, state),
      providers: providers.map((p) => ({ id: p.id, label: p.label })),
      loginHint,
      error,
    });
  }
}
