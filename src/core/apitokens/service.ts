/**
 * Organization API tokens: the rules. Privileges are roles, granted with the same
 * anti-escalation as group roles (nobody creates or widens a token beyond what they hold),
 * the organization's token policy bounds lifetime and count, and the secret is shown once,
 * on create and on rotate. Using a token is in authentication.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.ts';
import { Conflict, InvalidRequest, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import type { Caller } from '../../rbac/caller.ts';
import { generateSecret, type SecretHasher } from '../../tokens/secrets.ts';
import { changedFields, idList } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { RoleService } from '../roles/service.ts';
import { type ApiTokenFilter, type ApiTokenInput, type ApiTokenPatch, type ApiTokenPolicy, type ApiTokenRecord, inputOf } from './model.ts';
import { parseSourceIps } from './source-ips.ts';
import * as store from './store.ts';

export type {
  ApiTokenFilter,
  ApiTokenInput,
  ApiTokenPatch,
  ApiTokenPolicy,
  ApiTokenPrivilege,
  ApiTokenRecord,
  ApiTokenResource,
  ApiTokenState,
} from './model.ts';

/** A token with its secret: the only time the secret is seen. */
export interface ApiTokenWithSecret {
  token: ApiTokenRecord;
  secret: string;
}

/** The longest a rotated-out secret may keep working (RFC-free: a product rule, docs/apitokens.md). */
export const maxGraceSeconds = 7 * 86400;

export class ApiTokenService {
  constructor(
    private readonly db: Db,
    private readonly roles: RoleService,
    private readonly hasher: SecretHasher,
    private readonly defaults: ApiTokenPolicy,
    private readonly events: EventSink,
  ) {}

  async list(organizationId: string, filter: ApiTokenFilter, page: PageQuery): Promise<Listing<ApiTokenRecord>> {
    return finishPage(page, await store.listTokens(this.db, organizationId, filter, page));
  }

  /** Numbered pages, newest first, with the total (Docker Hub's `page`/`page_size`). */
  async listNumbered(organizationId: string, page: number, pageSize: number): Promise<{ items: ApiTokenRecord[]; total: number }> {
    const [items, total] = await Promise.all([
      store.listTokensPage(this.db, organizationId, (page - 1) * pageSize, pageSize),
      store.countTokens(this.db, organizationId),
    ]);
    return { items, total };
  }

  async get(organizationId: string, id: string): Promise<ApiTokenRecord> {
    const token = await store.getToken(this.db, organizationId, id);
    if (!token) throw new NotFound('API token not found');
    return token;
  }

  async create(caller: Caller, organizationId: string, input: ApiTokenInput): Promise<ApiTokenWithSecret> {
    return this.db.transaction(async () => {
      const checked = await this.checked(caller, organizationId, input);
      const policy = await this.policy(organizationId);
      this.checkExpiry(policy, input.expiresAt ?? null);
      const id = randomUUID();
      const secret = generateSecret('oat');
      await store.insertToken(this.db, {
        id,
        organizationId,
        input: checked,
        tokenHash: this.hasher.hash(secret),
        secretHint: hintOf(secret),
        actor: caller.subject,
      });
      await store.insertGrants(this.db, organizationId, id, checked.privileges);
      await this.record('apitoken.created', caller, organizationId, id);
      const token = await this.get(organizationId, id);
      // The maximum is checked last, with this token counted: creations in one organization
      // take turns from here to their commit only, not for the whole transaction.
      await store.lockOrganizationTokens(this.db, organizationId);
      if ((await store.countTokens(this.db, organizationId)) > policy.maxTokens) {
        throw new Conflict(`the organization holds ${policy.maxTokens} API tokens, its maximum; delete unused ones (expired and inactive tokens count)`);
      }
      return { token, secret };
    });
  }

  /** Replaces name, description, privileges, resources, source addresses and the on/off switch; the expiry is fixed. */
  async update(caller: Caller, organizationId: string, id: string, input: ApiTokenInput): Promise<ApiTokenRecord> {
    return this.db.transaction(async () => this.replace(caller, organizationId, await this.locked(organizationId, id), input));
  }

  /**
   * Changes the fields given and keeps the others, in one transaction on the locked row, so two
   * partial updates of one token at once (of different fields) both take effect, one after the other.
   */
  async patch(caller: Caller, organizationId: string, id: string, patch: ApiTokenPatch): Promise<ApiTokenRecord> {
    const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    return this.db.transaction(async () => {
      const current = await this.locked(organizationId, id);
      return this.replace(caller, organizationId, current, { ...inputOf(current), ...given });
    });
  }

  private async locked(organizationId: string, id: string): Promise<ApiTokenRecord> {
    if (!(await store.lockToken(this.db, organizationId, id))) throw new NotFound('API token not found');
    return this.get(organizationId, id);
  }

  private async replace(caller: Caller, organizationId: string, current: ApiTokenRecord, input: ApiTokenInput): Promise<ApiTokenRecord> {
    if (input.expiresAt !== undefined && (input.expiresAt?.getTime() ?? null) !== (current.expires_at?.getTime() ?? null)) {
      throw new InvalidRequest('spec.expiresAt is fixed when the token is created; create a new token instead');
    }
    const checked = await this.checked(caller, organizationId, input);
    await store.updateToken(this.db, organizationId, current.id, checked, caller.subject);
    await store.replaceGrants(this.db, organizationId, current.id, checked.privileges);
    const switched = current.active !== (checked.active ?? true);
    const action = switched ? (checked.active === false ? 'apitoken.deactivated' : 'apitoken.activated') : 'apitoken.updated';
    await this.record(action, caller, organizationId, current.id, 'apitoken', changedFieldsOf(current, checked));
    return this.get(organizationId, current.id);
  }

  /** A new secret, shown once; the old one keeps working for `graceSeconds` (0: stops at once). */
  async rotate(caller: Caller, organizationId: string, id: string, graceSeconds: number): Promise<ApiTokenWithSecret> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxGraceSeconds) {
      throw new InvalidRequest(`the grace period must be from 0 to ${maxGraceSeconds} seconds (7 days)`);
    }
    return this.db.transaction(async () => {
      await this.requireWithinOwnPrivileges(caller, organizationId, await this.get(organizationId, id));
      const secret = generateSecret('oat');
      await store.rotateToken(this.db, organizationId, id, { hash: this.hasher.hash(secret), hint: hintOf(secret) }, graceSeconds, caller.subject);
      await this.record('apitoken.rotated', caller, organizationId, id);
      return { token: await this.get(organizationId, id), secret };
    });
  }

  async delete(caller: Caller, organizationId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if ((await store.deleteToken(this.db, organizationId, id)) === undefined) throw new NotFound('API token not found');
      await this.record('apitoken.deleted', caller, organizationId, id);
    });
  }

  /** The organization's token policy, or the configured defaults when it has none. */
  async policy(organizationId: string): Promise<ApiTokenPolicy> {
    return (await store.getPolicy(this.db, organizationId)) ?? this.defaults;
  }

  async setPolicy(caller: Caller, organizationId: string, policy: ApiTokenPolicy): Promise<ApiTokenPolicy> {
    return this.db.transaction(async () => {
      await store.putPolicy(this.db, organizationId, policy, caller.subject);
      await this.record('apitokenpolicy.updated', caller, organizationId, organizationId, 'apitokenpolicy');
      return this.policy(organizationId);
    });
  }

  /** Validates the input, and refuses privileges the caller could not grant. */
  private async checked(caller: Caller, organizationId: string, input: ApiTokenInput): Promise<ApiTokenInput> {
    // The rules every face shares (a face may be stricter in its own schema).
    if (!input.name.trim() || input.name.length > 100) throw new InvalidRequest('the token name must be 1 to 100 characters');
    if ((input.description?.length ?? 0) > 200) throw new InvalidRequest('the token description must be at most 200 characters');
    if ((input.resources?.length ?? 0) > 50) throw new InvalidRequest('a token holds at most 50 resources');
    if (input.privileges.length > 20) throw new InvalidRequest('a token holds at most 20 privileges');
    const sourceIps = parseSourceIps('spec.sourceIPs', input.sourceIps ?? []);
    const roleIds = [...new Set(input.privileges.map((p) => p.roleId))];
    await this.roles.requireGrantable(caller, organizationId, roleIds, 'spec.privileges');
    return { ...input, sourceIps };
  }

  /** Rotating (or otherwise acting on) a token needs its privileges within the caller's own. */
  private async requireWithinOwnPrivileges(caller: Caller, organizationId: string, token: ApiTokenRecord): Promise<void> {
    await this.roles.requireGrantable(caller, organizationId, [...new Set(token.privileges.map((p) => p.roleId))], 'the token’s privileges');
  }

  private checkExpiry(policy: ApiTokenPolicy, expiresAt: Date | null) {
    if (expiresAt === null) {
      if (policy.requireExpiry || policy.maxLifetimeSeconds !== null) {
        throw new InvalidRequest('spec.expiresAt is required by the organization’s token policy');
      }
      return;
    }
    if (expiresAt.getTime() <= Date.now()) throw new InvalidRequest('spec.expiresAt must be in the future');
    if (policy.maxLifetimeSeconds !== null && expiresAt.getTime() > Date.now() + policy.maxLifetimeSeconds * 1000) {
      throw new InvalidRequest(`spec.expiresAt is beyond the organization’s maximum token lifetime of ${policy.maxLifetimeSeconds} seconds`);
    }
  }

  private record(type: string, caller: Caller, organizationId: string, id: string, kind = 'apitoken', changes?: string[]) {
    return this.events.record(caller.event({ type, organizationId, target: { kind, id }, ...(changes ? { changes } : {}) }));
  }
}

/** The wire names of the fields an update changes, for the audit trail (never their values). */
function changedFieldsOf(current: ApiTokenRecord, next: ApiTokenInput): string[] {
  const privileges = (list: { roleId: string; projectId?: string | null }[]) => list.map((p) => `${p.roleId}/${p.projectId ?? ''}`);
  return changedFields({
    'metadata.name': [current.name, next.name],
    'metadata.description': [current.description || null, next.description || null],
    'spec.privileges': idList(privileges(current.privileges), privileges(next.privileges)),
    'spec.resources': [current.resources, next.resources ?? []],
    'spec.sourceIPs': [current.source_ips, next.sourceIps ?? []],
    'spec.active': [current.active, next.active ?? true],
    'spec.rateLimitPerHour': [current.rate_limit_per_hour, next.rateLimitPerHour ?? null],
  });
}

/** What may be shown of a secret after it was shown once: its first and last four characters. */
const hintOf = (secret: string) => `${secret.slice(0, 4)}...${secret.slice(-4)}`;
