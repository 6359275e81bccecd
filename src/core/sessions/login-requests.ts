/**
 * Login state: an authorization request on its way through the login page, the upstream
 * provider and (for a newcomer) onboarding. Every step reads and writes it in the database,
 * so any instance can take the next step. The `state` handed to the browser and to the
 * upstream provider are secrets kept only as keyed hashes; the PKCE verifier and nonce sent
 * upstream are stored encrypted.
 */
import type { Db } from '../../db/db.ts';
import { generateSecret, type SecretHasher } from '../../tokens/secrets.ts';
import { decrypt, encrypt } from '../../tokens/server-secret.ts';
import * as store from './login-store.ts';
import type { AuthorizationRequest, LoginRequestRecord, PendingIdentity, UpstreamSecrets } from './model.ts';

export type { LoginRequestRecord, PendingIdentity, UpstreamSecrets } from './model.ts';

export class LoginRequestService {
  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
    private readonly encryptionKey: Buffer,
  ) {}

  /** Records an authorization request started in this browser; returns its state. */
  async open(request: AuthorizationRequest, browserId: string): Promise<string> {
    const state = generateSecret('lgn');
    await store.createLoginRequest(this.db, this.hasher.hash(state), request, this.hasher.hash(browserId));
    return state;
  }

  /** The open (not completed, not expired) request of a state. */
  async find(state: string | undefined): Promise<LoginRequestRecord | undefined> {
    if (!state?.startsWith('tsr_lgn_')) return undefined;
    return store.findOpenLoginRequest(this.db, this.hasher.hash(state));
  }

  /** Whether the request was started in the browser holding `browserId`. */
  startedIn(row: LoginRequestRecord, browserId: string | undefined): boolean {
    return !!browserId && row.browser_hash === this.hasher.hash(browserId);
  }

  async startUpstream(row: LoginRequestRecord, providerId: string, upstreamState: string, secrets: UpstreamSecrets): Promise<void> {
    const sealed = encrypt(this.encryptionKey, JSON.stringify(secrets), `login:${row.id}`);
    await store.startUpstream(this.db, row.id, providerId, this.hasher.hash(upstreamState), sealed);
  }

  /** Consumes the upstream state: a callback can use it once (a replayed callback finds nothing). */
  async takeUpstreamAnswer(upstreamState: string): Promise<{ row: LoginRequestRecord; secrets: UpstreamSecrets } | undefined> {
    const row = await store.consumeUpstreamState(this.db, this.hasher.hash(upstreamState));
    if (!row?.provider_id || !row.upstream_secrets_ciphertext) return undefined;
    return { row, secrets: JSON.parse(decrypt(this.encryptionKey, row.upstream_secrets_ciphertext, `login:${row.id}`)) };
  }

  /** Parks a verified newcomer's identity until onboarding; the request gets a fresh state. */
  async holdForOnboarding(row: LoginRequestRecord, identity: PendingIdentity): Promise<string> {
    const state = generateSecret('lgn');
    await store.holdForOnboarding(this.db, row.id, identity, this.hasher.hash(state));
    return state;
  }

  /** Marks the request done; false if another request already completed it. */
  complete(row: LoginRequestRecord): Promise<boolean> {
    return store.completeLoginRequest(this.db, row.id);
  }

  purgeExpired(): Promise<number> {
    return store.purgeExpiredLoginRequests(this.db);
  }
}
