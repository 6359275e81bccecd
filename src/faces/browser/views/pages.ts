/** The server-rendered pages: login, onboarding, logout confirmation and errors. */
import { html } from './html.ts';
import { page } from './layout.ts';

export interface LoginPageModel {
  clientName: string;
  state: string;
  csrf: string;
  providers: { id: string; label: string }[];
  loginHint?: string;
  error?: string;
}

export function loginPage(m: LoginPageModel): string {
  const hidden = html`<input type="hidden" name="state" value="${m.state}"><input type="hidden" name="csrf" value="${m.csrf}">`;
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
<p class="lead">to continue to ${m.clientName}</p>
${m.error ? html`<div class="error" role="alert">${m.error}</div>` : ''}
${m.providers.map(
  (p) => html`<form method="post" action="/oauth2/v2/login">${hidden}<input type="hidden" name="provider" value="${p.id}">
<button class="secondary" type="submit">Sign in with ${p.label}</button></form>`,
)}
${m.providers.length ? html`<div class="divider">or use your work email</div>` : ''}
<form method="post" action="/oauth2/v2/login">${hidden}
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${m.loginHint ?? ''}">
<button type="submit">Continue</button>
</form>`,
  );
}

export interface OnboardPageModel {
  state: string;
  csrf: string;
  email: string;
  roles: { name: string; description: string; checked: boolean }[];
  error?: string;
}

export function onboardPage(m: OnboardPageModel): string {
  return page(
    'Create your organization',
    html`<h1>Create your organization</h1>
<p class="lead">${m.email} is not part of an organization yet.</p>
${m.error ? html`<div class="error" role="alert">${m.error}</div>` : ''}
<form method="post" action="/oauth2/v2/onboard">
<input type="hidden" name="state" value="${m.state}"><input type="hidden" name="csrf" value="${m.csrf}">
<label for="organization_name">Organization name</label>
<input id="organization_name" name="organization_name" type="text" required maxlength="63" pattern="[0-9A-Za-z]([0-9A-Za-z._\\-]{0,61}[0-9A-Za-z])?">
<label for="group_name">First group</label>
<input id="group_name" name="group_name" type="text" required maxlength="63" value="administrators">
<fieldset><legend>Roles of the group</legend>
${m.roles.map(
  (r) =>
    html`<label class="choice"><input type="checkbox" name="roles" value="${r.name}" ${r.checked ? html`checked` : ''}> ${r.name}: ${r.description}</label>`,
)}
</fieldset>
<button type="submit">Create organization</button>
</form>`,
  );
}

export interface LogoutPageModel {
  csrf: string;
  /** The logout parameters to carry through the confirmation (client_id, post_logout_redirect_uri, state, ui_locales). */
  carried: Record<string, string>;
}

/** OIDC RP-Initiated Logout §2: without a valid hint, the user confirms. */
export function logoutPage(m: LogoutPageModel): string {
  return page(
    'Sign out',
    html`<h1>Sign out?</h1>
<p class="lead">Sign out of your account in this browser.</p>
<form method="post" action="/oauth2/v2/logout">
<input type="hidden" name="csrf" value="${m.csrf}"><input type="hidden" name="confirm" value="yes">
${Object.entries(m.carried).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Sign out</button>
</form>`,
  );
}

export function errorPage(title: string, message: string, back?: string): string {
  return page(title, html`<h1>${title}</h1><p class="error" role="alert">${message}</p>${back ? html`<p><a href="${back}">Go back</a></p>` : ''}`);
}
