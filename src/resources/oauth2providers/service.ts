import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { NotFound } from '../../http/errors.ts';
import { encrypt } from '../../tokens/server-secret.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { ProviderWrite } from './schemas.ts';
import * as store from './store.ts';

/**
 * The read form never carries the client secret. A system provider has no organization:
 * its undefined organizationId is left out by the serializer.
 */
const providerToWire = (row: store.ProviderRow) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id as string },
  spec: { ...(row.type ? { type: row.type } : {}), issuer: row.issuer, clientID: row.client_id },
});

/**
 * System providers (owner null: login buttons for everyone) and organization providers
 * (owner = organization: the login of a domain organization) share one table and one
 * service; every query is bound to its owner.
 */
export class ProviderService {
  constructor(
    private readonly db: Db,
    private readonly encryptionKey: Buffer,
  ) {}

  async list(owner: store.Owner, query: Page) {
    const page = parsePage(query);
    return finishPage(page, await store.listProviders(this.db, owner, page), providerToWire);
  }

  async create(auth: RequestAuth, owner: store.Owner, body: ProviderWrite) {
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      await store.insertProvider(tx, owner, id, body, this.seal(id, body.spec.clientSecret) ?? null, auth.principal.subject);
      return providerToWire((await store.getProvider(tx, owner, id))!);
    });
  }

  async update(auth: RequestAuth, owner: store.Owner, id: string, body: ProviderWrite) {
    const updated = await store.updateProvider(this.db, owner, id, body, this.seal(id, body.spec.clientSecret), auth.principal.subject);
    if (!updated) throw new NotFound('provider not found');
  }

  async delete(owner: store.Owner, id: string) {
    if (!(await store.deleteProvider(this.db, owner, id))) throw new NotFound('provider not found');
  }

  private seal(id: string, secret: string | undefined): string | undefined {
    return secret === undefined ? undefined : encrypt(this.encryptionKey, secret, `oauth2provider:${id}`);
  }
}
