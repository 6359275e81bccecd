/**
 * Onboarding (off unless TESSERA_ONBOARDING=true): a verified newcomer with no account
 * creates an organization, its first group (with chosen unprotected roles) and their own
 * membership, all in one transaction, and the login then completes as usual.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { ApiError } from '../http/errors.ts';
import { mapDbError } from '../db/errors.ts';
import { insertGroup } from '../resources/groups/store.ts';
import { insertOrganization } from '../resources/organizations/store.ts';
import { ensureUser, insertMembership } from '../resources/users/store.ts';
import { defaultName } from '../resources/users/service.ts';
import { generateSecret, type SecretHasher } from '../tokens/secrets.ts';
import { onboardPage } from '../views/pages.ts';
import { redirectWith } from './authorization-request.ts';
import { csrfToken } from './browser.ts';
import type { LoginFlow } from './login-flow.ts';
import { showError, type FlowResult } from './respond.ts';
import * as logins from './login-store.ts';
import * as store from './store.ts';

const labelValue = /^[0-9A-Za-z](?:[0-9A-Za-z-_.]{0,61}[0-9A-Za-z])?$/;

/** Part of the login flow it belongs to, whose dependencies it shares. */
export class Onboarding {
  private readonly db: Db;
  private readonly hasher: SecretHasher;
  private readonly config: Config;
  private readonly csrfKey: Buffer;

  constructor(private readonly flow: LoginFlow) {
    ({ db: this.db, hasher: this.hasher, config: this.config, csrfKey: this.csrfKey } = flow.deps);
  }

  async start(row: logins.LoginRequestRow, identity: store.UpstreamIdentity & { providerId: string | null }, browserId: string): Promise<FlowResult> {
    const state = generateSecret('lgn');
    await logins.holdForOnboarding(this.db, row.id, identity, this.hasher.hash(state));
    const client = await this.flow.openRequest(state);
    if (client?.client.onboarding_uri) {
      return {
        redirect: redirectWith(client.client.onboarding_uri, {
          state,
          callback: `${this.config.issuer}/oauth2/v2/onboard`,
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
    if (!found || !identity) return showError(400, 'Sign-in expired', 'This sign-up has expired or was already used. Start again from the application.');
    if (!found.client.onboarding_uri && !this.flow.sameBrowser(found.row, browserId, form.state!, form.csrf)) {
      return showError(403, 'Cannot sign up', 'The form could not be verified. Start again from the application.');
    }
    const again = async (error: string) => ({ status: 400, html: await this.page(form.state!, browserId ?? '', identity.email, error) });
    const organizationName = form.organization_name?.trim() ?? '';
    const groupName = form.group_name?.trim() ?? '';
    const roles = (form.roles ?? '').split(' ').filter(Boolean);
    if (!labelValue.test(organizationName) || !labelValue.test(groupName)) {
      return again('Names are 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.');
    }
    const allowed = await this.offeredRoles();
    const chosen = allowed.filter((r) => roles.includes(r.name));
    if (chosen.length !== roles.length) return again('Choose roles from the list.');
    let userId: string;
    try {
      userId = await this.db.transaction(async (tx) => {
        const actor = identity.email;
        const organization = await insertOrganization(tx, { metadata: { name: organizationName, description: form.organization_description }, spec: { organizationType: 'adhoc' } }, actor);
        const { id: accountId } = await ensureUser(tx, identity.email, 'active');
        const group = await insertGroup(tx, organization.id, { metadata: { name: groupName, description: form.group_description }, spec: { roleIDs: chosen.map((r) => r.id), userIDs: [], serviceAccountIDs: [] } }, actor);
        await insertMembership(tx, organization.id, accountId, { metadata: { name: defaultName(identity.email) }, state: 'active', groupIds: [group] }, actor);
        await store.findAccountForIdentity(tx, identity, identity.providerId);
        return accountId;
      });
    } catch (error) {
      const mapped = error instanceof ApiError ? error : mapDbError(error);
      if (mapped?.status === 409) return again('That organization name is taken. Choose another.');
      throw error;
    }
    return this.flow.finish(found.row, userId);
  }

  /** The configured onboarding roles that exist and are not protected. */
  private async offeredRoles() {
    const result = await this.db.query<{ id: string; name: string; description: string }>(
      'SELECT id, name, description FROM roles WHERE name = ANY($1) AND NOT protected ORDER BY name',
      [this.config.onboardingRoles],
    );
    return result.rows;
  }

  private async page(state: string, browserId: string, email: string, error?: string): Promise<string> {
    const roles = await this.offeredRoles();
    return onboardPage({
      state,
      csrf: csrfToken(this.csrfKey, browserId, state),
      email,
      roles: roles.map((r) => ({ name: r.name, description: r.description, checked: true })),
      error,
    });
  }
}
