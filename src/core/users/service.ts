import type { Db } from '../../db/db.ts';
import { InvalidRequest, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import type { Caller } from '../../rbac/caller.ts';
import { generateSecret, type SecretHasher } from '../../tokens/secrets.ts';
import { changedFields, idList, metadataChanges } from '../common/changes.ts';
import type { Metadata } from '../common/metadata.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { GroupService } from '../groups/service.ts';
import type { AccountRecord, MembershipInput, MembershipRecord, Profile, UpstreamIdentity, UserState } from './model.ts';
import * as store from './store.ts';

export type { AccountRecord, MembershipInput, MembershipRecord, Profile, UpstreamIdentity } from './model.ts';

/** A label-safe default name from the email's local part (the API makes metadata optional). */
export function defaultName(email: string): string {
  const local = email.split('@')[0] ?? '';
  const cleaned = local
    .replace(/[^0-9A-Za-z-_.]/g, '-')
    .slice(0, 63)
    .replace(/^[^0-9A-Za-z]+|[^0-9A-Za-z]+$/g, '');
  return cleaned || 'user';
}

export interface SignupOptions {
  /** Public base URL: the activation link is `<issuer>/api/v1/signup?token=...`. */
  issuer: string;
  ttlSeconds: number;
}

export class UserService {
  constructor(
    private readonly db: Db,
    private readonly groups: GroupService,
    private readonly hasher: SecretHasher,
    private readonly signup: SignupOptions,
    private readonly events: EventSink,
  ) {
    db.explainConstraints(store.constraints);
  }

  async list(organizationId: string, page: PageQuery): Promise<Listing<MembershipRecord>> {
    return finishPage(page, await store.listMemberships(this.db, organizationId, page));
  }

  async get(organizationId: string, id: string): Promise<MembershipRecord> {
    const row = await store.getMembership(this.db, organizationId, id);
    if (!row) throw new NotFound('user not found');
    return row;
  }

  /**
   * Adds a person (by email) to the organization; their global account is created on first
   * use, pending, and the link (shown once) is the only way to activate it. Every member added
   * gets a link, whether or not their account existed: the answer must not tell an organization
   * administrator who else has an account. Following it activates a pending account and
   * answers the same page for one already active.
   */
  async create(caller: Caller, organizationId: string, input: MembershipInput): Promise<{ user: MembershipRecord; signupLink: string }> {
    return this.db.transaction(async () => {
      await this.groups.requireGrantable(caller, organizationId, input.groupIds);
      const account = await store.ensureAccount(this.db, input.subject, 'pending');
      const user = await this.addMember(caller.subject, organizationId, account.id, {
        metadata: input.metadata ?? { name: defaultName(input.subject) },
        state: input.state,
        groupIds: input.groupIds,
      });
      return { user, signupLink: await this.createSignupLink(account.id) };
    });
  }

  /** Makes an account a member, with no permission check: for callers that made their own (onboarding). */
  async addMember(
    actor: string,
    organizationId: string,
    accountId: string,
    values: { metadata: Metadata; state: UserState; groupIds: string[] },
  ): Promise<MembershipRecord> {
    return this.db.transaction(async () => {
      const id = await store.insertMembership(this.db, organizationId, accountId, values, actor);
      await this.groups.setGroupsOf('user', organizationId, id, values.groupIds);
      await this.events.record({ type: 'user.created', actor, organizationId, target: { kind: 'user', id } });
      return this.get(organizationId, id);
    });
  }

  async update(caller: Caller, organizationId: string, id: string, input: MembershipInput): Promise<MembershipRecord> {
    return this.db.transaction(async () => {
      const current = await this.get(organizationId, id);
      if (current.email.toLowerCase() !== input.subject.toLowerCase()) {
        throw new InvalidRequest('spec.subject cannot be changed; delete the user and add the new address');
      }
      await this.groups.requireGrantable(caller, organizationId, input.groupIds);
      await store.updateMembership(this.db, organizationId, id, { metadata: input.metadata ?? { name: current.name }, state: input.state }, caller.subject);
      await this.groups.setGroupsOf('user', organizationId, id, input.groupIds);
      const changes = changedFields({
        ...metadataChanges(current, input.metadata),
        'spec.state': [current.state, input.state],
        'spec.groupIDs': idList(current.group_ids, input.groupIds),
      });
      await this.events.record(caller.event({ type: 'user.updated', organizationId, target: { kind: 'user', id }, changes }));
      return this.get(organizationId, id);
    });
  }

  async delete(caller: Caller, organizationId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deleteMembership(this.db, organizationId, id))) throw new NotFound('user not found');
      await this.events.record(caller.event({ type: 'user.deleted', organizationId, target: { kind: 'user', id } }));
    });
  }

  /** The account for an email, created active (a newcomer who proved the address at login). */
  async ensureActiveAccount(email: string): Promise<string> {
    return (await store.ensureAccount(this.db, email, 'active')).id;
  }

  /**
   * The account of an upstream identity: linked by (issuer, subject); on first login an
   * account with the same (verified) email is linked. Undefined for a stranger.
   */
  async signIn(identity: UpstreamIdentity, providerId: string | null): Promise<AccountRecord | undefined> {
    return this.db.transaction(async () => {
      const account = (await store.accountByIdentity(this.db, identity.issuer, identity.subject)) ?? (await store.accountByEmail(this.db, identity.email));
      if (account) await store.linkIdentity(this.db, account.id, identity, providerId);
      return account;
    });
  }

  /** Profile claims for ID tokens and userinfo, from the most recent upstream login. */
  profile(accountId: string): Promise<Profile | undefined> {
    return store.profile(this.db, accountId);
  }

  /** Activates the pending account of a signup link, once, before it expires. */
  async activate(token: string): Promise<boolean> {
    if (!token.startsWith('tsr_sgn_')) return false;
    return this.db.transaction(() => store.consumeSignupToken(this.db, this.hasher.hash(token)));
  }

  purgeExpiredSignupLinks(): Promise<number> {
    return store.purgeExpiredSignupTokens(this.db);
  }

  /** The activation link of an account (the token is only ever in this link). */
  private async createSignupLink(accountId: string): Promise<string> {
    const token = generateSecret('sgn');
    await store.insertSignupToken(this.db, this.hasher.hash(token), accountId, this.signup.ttlSeconds);
    return `${this.signup.issuer}/api/v1/signup?token=${token}`;
  }
}
