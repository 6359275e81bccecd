/**
 * Onboarding (off unless TESSERA_ONBOARDING=true): a verified newcomer with no account
 * creates an organization, its first group (with chosen unprotected roles) and their own
 * membership, all in one transaction, through the services that own them.
 */
import type { Db } from '../../db/db.ts';
import { Forbidden, InvalidRequest } from '../../kernel/errors.ts';
import { isLabelValue } from '../common/metadata.ts';
import type { GroupService } from '../groups/service.ts';
import type { OrganizationService } from '../organizations/service.ts';
import type { RoleRecord, RoleService } from '../roles/service.ts';
import type { PendingIdentity } from '../sessions/model.ts';
import { defaultName, type UpstreamIdentity, type UserService } from '../users/service.ts';

export interface OnboardingInput {
  organizationName: string;
  organizationDescription?: string;
  groupName: string;
  groupDescription?: string;
  /** Names of roles for the first group, from those offered. */
  roles: string[];
}

/** What becomes of an upstream identity at sign-in: a user signed in, a newcomer to onboard, or a refusal and why. */
export type Admission = { outcome: 'signed_in'; userId: string } | { outcome: 'onboarding' } | { outcome: 'refused'; reason: string };

export class OnboardingService {
  constructor(
    private readonly db: Db,
    private readonly organizations: OrganizationService,
    private readonly groups: GroupService,
    private readonly users: UserService,
    private readonly roles: RoleService,
    private readonly options: {
      /** TESSERA_ONBOARDING: whether a newcomer with no account may create an organization. */
      enabled: boolean;
      /** Role names offered to the first group (TESSERA_ONBOARDING_ROLES); protected ones never are. */
      offered: readonly string[];
    },
  ) {}

  /**
   * Who an upstream identity is here: an account (found by its upstream identity, else its
   * verified email, and linked) that is active signs in; a pending or suspended one is refused;
   * a newcomer is onboarded when onboarding is on, refused otherwise.
   */
  async admit(identity: UpstreamIdentity, providerId: string): Promise<Admission> {
    const account = await this.users.signIn(identity, providerId);
    if (!account) return this.options.enabled ? { outcome: 'onboarding' } : { outcome: 'refused', reason: 'there is no account for this user' };
    if (account.state !== 'active') return { outcome: 'refused', reason: `the account is ${account.state}` };
    return { outcome: 'signed_in', userId: account.id };
  }

  /** The configured onboarding roles that exist and are not protected. */
  offeredRoles(): Promise<RoleRecord[]> {
    return this.roles.unprotectedByName(this.options.offered);
  }

  /** Creates the newcomer's organization, group, account and membership; returns the account ID. */
  async createOrganization(identity: PendingIdentity, input: OnboardingInput): Promise<string> {
    if (!this.options.enabled) throw new Forbidden('onboarding is off on this server');
    if (!isLabelValue(input.organizationName) || !isLabelValue(input.groupName)) {
      throw new InvalidRequest('Names are 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.');
    }
    const chosen = (await this.offeredRoles()).filter((r) => input.roles.includes(r.name));
    if (chosen.length !== input.roles.length) throw new InvalidRequest('Choose roles from the list.');
    const actor = identity.email;
    return this.db.transaction(async () => {
      const organization = await this.organizations.insert(actor, {
        metadata: { name: input.organizationName, description: input.organizationDescription },
        organizationType: 'adhoc',
      });
      const accountId = await this.users.ensureActiveAccount(identity.email);
      const group = await this.groups.insert(actor, organization.id, {
        metadata: { name: input.groupName, description: input.groupDescription },
        roleIds: chosen.map((r) => r.id),
        userIds: [],
        serviceAccountIds: [],
      });
      await this.users.addMember(actor, organization.id, accountId, { metadata: { name: defaultName(identity.email) }, state: 'active', groupIds: [group.id] });
      await this.users.signIn(identity, identity.providerId);
      return accountId;
    });
  }
}
