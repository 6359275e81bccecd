/**
 * The onboarding pages (off unless TESSERA_ONBOARDING=true): a verified newcomer with no
 * account names an organization and its first group; the core creates them, and the login
 * then completes as usual.
 */
import type { ClientRecord } from '../../core/clients/service.ts';
import type { Services } from '../../core/index.ts';
import type { LoginRequestRecord, PendingIdentity } from '../../core/sessions/login-requests.ts';
import { DomainError } from '../../kernel/errors.ts';
import { redirectWith } from './authorization-request.ts';
import { csrfToken } from './browser.ts';
import { type FlowResult, showError } from './respond.ts';
import { onboardPage } from './views/pages.ts';

/** The steps of the login flow (login-flow.ts) that onboarding continues. */
export interface LoginSteps {
  readonly core: Services;
  readonly csrfKey: Buffer;
  openRequest(state: string | undefined): Promise<{ row: LoginRequestRecord; client: ClientRecord } | undefined>;
  sameBrowser(row: LoginRequestRecord, browserId: string | undefined, state: string, csrf: unknown): boolean;
  finish(row: LoginRequestRecord, userId: string): Promise<FlowResult>;
}

/** Part of the login flow it belongs to, whose dependencies it shares. */
export class Onboarding {
  constructor(private readonly flow: LoginSteps) {}

  private get core() {
    return this.flow.core;
  }

  async start(row: LoginRequestRecord, identity: PendingIdentity, browserId: string): Promise<FlowResult> {
    const state = await this.core.logins.holdForOnboarding(row, identity);
    const found = await this.flow.openRequest(state);
    if (found?.client.onboarding_uri) {
      return {
        redirect: redirectWith(found.client.onboarding_uri, {
          state,
          callback: `${this.core.config.issuer}/oauth2/v2/onboard`,
          email: identity.email,
          username: identity.name,
          forename: identity.givenName,
          surname: identity.familyName,
        }),
      };
    }
    return { status: 200, html: await this.page(state, browserId, identity.email) };
  }

  /** POST /oauth2/v2/onboard */
  async submit(form: Record<string, string | undefined>, browserId: string | undefined): Promise<FlowResult> {
    const found = await this.flow.openRequest(form.state);
    const identity = found?.row.pending_identity;
    if (!found || !identity || !form.state)
      return showError(400, 'Sign-in expired', 'This sign-up has expired or was already used. Start again from the application.');
    if (!found.client.onboarding_uri && !this.flow.sameBrowser(found.row, browserId, form.state, form.csrf)) {
      return showError(403, 'Cannot sign up', 'The form could not be verified. Start again from the application.');
    }
    let userId: string;
    try {
      userId = await this.core.onboarding.createOrganization(identity, {
        organizationName: form.organization_name?.trim() ?? '',
        organizationDescription: form.organization_description,
        groupName: form.group_name?.trim() ?? '',
        groupDescription: form.group_description,
        roles: (form.roles ?? '').split(' ').filter(Boolean),
      });
    } catch (error) {
      if (!(error instanceof DomainError) || (error.code !== 'invalid_request' && error.code !== 'conflict')) throw error;
      const message = error.code === 'conflict' ? 'That organization name is taken. Choose another.' : error.message;
      return { status: 400, html: await this.page(form.state, browserId ?? '', identity.email, message) };
    }
    return this.flow.finish(found.row, userId);
  }

  private async page(state: string, browserId: string, email: string, error?: string): Promise<string> {
    const roles = await this.core.onboarding.offeredRoles();
    return onboardPage({
      state,
      csrf: csrfToken(this.flow.csrfKey, browserId, state),
      email,
      roles: roles.map((r) => ({ name: r.name, description: r.description, checked: true })),
      error,
    });
  }
}
