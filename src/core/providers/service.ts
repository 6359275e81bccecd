import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.ts';
import { NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { isUuid } from '../../kernel/ids.ts';
import type { Caller } from '../../rbac/caller.ts';
import { decrypt, encrypt } from '../../tokens/server-secret.ts';
import { changedFields, metadataChanges } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { LoginProvider, Owner, ProviderInput, ProviderRecord, SystemProvider } from './model.ts';
import * as store from './store.ts';

export type { LoginProvider, Owner, ProviderInput, ProviderRecord, SystemProvider } from './model.ts';

const providerLabels = { google: 'Google', microsoft: 'Microsoft', github: 'GitHub' } as const;

/**
 * System providers (owner null: login buttons for everyone) and organization providers
 * (owner = organization: the login of a domain organization) share one table and one
 * service; every query is bound to its owner. Client secrets are stored encrypted and
 * never returned.
 */
export class ProviderService {
  constructor(
    private readonly db: Db,
    private readonly encryptionKey: Buffer,
    private readonly events: EventSink,
  ) {
    db.explainConstraints(store.constraints);
  }

  async list(owner: Owner, page: PageQuery): Promise<Listing<ProviderRecord>> {
    return finishPage(page, await store.listProviders(this.db, owner, page));
  }

  async create(caller: Caller, owner: Owner, input: ProviderInput): Promise<ProviderRecord> {
    const id = randomUUID();
    return this.db.transaction(async () => {
      await store.insertProvider(this.db, owner, id, input, this.seal(id, input.clientSecret) ?? null, caller.subject);
      await this.record('provider.created', caller, owner, id);
      return (await store.getProvider(this.db, owner, id))!;
    });
  }

  async update(caller: Caller, owner: Owner, id: string, input: ProviderInput): Promise<void> {
    await this.db.transaction(async () => {
      const current = await store.getProvider(this.db, owner, id);
      if (!current || !(await store.updateProvider(this.db, owner, id, input, this.seal(id, input.clientSecret), caller.subject))) {
        throw new NotFound('provider not found');
      }
      const changes = changedFields({
        ...metadataChanges(current, input.metadata),
        'spec.type': [current.type, input.type],
        'spec.issuer': [current.issuer, input.issuer],
        'spec.clientID': [current.client_id, input.clientId],
        // A new secret is named as changed; its value is never compared or recorded.
        'spec.clientSecret': [undefined, input.clientSecret === undefined ? undefined : 'replaced'],
      });
      await this.record('provider.updated', caller, owner, id, changes);
    });
  }

  async delete(caller: Caller, owner: Owner, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deleteProvider(this.db, owner, id))) throw new NotFound('provider not found');
      await this.record('provider.deleted', caller, owner, id);
    });
  }

  /** The organization of a provider: null for a system provider, undefined if there is none. */
  ownerOf(id: string): Promise<Owner | undefined> {
    return store.providerOwner(this.db, id);
  }

  /** The login page's buttons. */
  async systemProviders(): Promise<SystemProvider[]> {
    return (await store.systemProviders(this.db)).map((r) => ({ id: r.id, type: r.type, label: r.description || (r.type ? providerLabels[r.type] : r.name) }));
  }

  /**
   * Which provider a login goes to: a "sign in with" button (a system provider, by ID or by
   * type), or the provider of the organization that owns the email's domain. Returns the
   * provider's ID, or a message for the login page.
   */
  async choose(choice: { provider?: string; email?: string }, buttons: SystemProvider[]): Promise<string | { error: string }> {
    const { provider, email } = choice;
    if (provider) {
      const match = buttons.find((p) => (isUuid(provider) ? p.id === provider : p.type === provider));
      return match ? match.id : { error: 'That sign-in option is not available.' };
    }
    const domain = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/.exec(email ?? '')?.[1];
    if (!domain) return { error: 'Enter your email address, or choose a sign-in option.' };
    return (await store.domainProvider(this.db, domain)) ?? { error: `No organization signs in with ${domain} addresses here. Choose a sign-in option above.` };
  }

  /** A provider as the login talks to it, with its client secret decrypted. */
  async forLogin(id: string): Promise<LoginProvider | undefined> {
    const row = await store.loginProvider(this.db, id);
    if (!row) return undefined;
    return {
      id: row.id,
      type: row.type,
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecret: row.client_secret_ciphertext ? decrypt(this.encryptionKey, row.client_secret_ciphertext, `oauth2provider:${row.id}`) : undefined,
      modifiedAt: new Date(row.version).getTime(),
      // An organization provider without a claimed domain vouches for nobody.
      vouchesFor: row.organization_id ? (row.domain ?? '') : null,
    };
  }

  private seal(id: string, secret: string | undefined): string | undefined {
    return secret === undefined ? undefined : encrypt(this.encryptionKey, secret, `oauth2provider:${id}`);
  }

  private record(type: string, caller: Caller, owner: Owner, id: string, changes?: string[]) {
    return this.events.record(
      caller.event({
        type,
        organizationId: owner,
        target: { kind: 'provider', id },
        ...(changes ? { changes } : {}),
      }),
    );
  }
}
