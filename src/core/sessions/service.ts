/**
 * Sessions at clients, their authorization codes and refresh tokens, and the browser's
 * single-sign-on session. Single-use artifacts are consumed atomically by the store; the
 * rules for a second use (it means a leak: revoke what was issued) live here.
 */
import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { type DomainError, GrantRefused, ScopeRefused } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { generateSecret, type SecretHasher } from '../../tokens/secrets.ts';
import type { AuthorizationRequest, CodeBindings, LiveSessionRecord, RefreshTokenRecord, SessionRecord } from './model.ts';
import * as store from './store.ts';

export type { AuthorizationRequest, CodeBindings, LiveSessionRecord, RefreshTokenRecord, SessionRecord } from './model.ts';

export interface SessionOptions {
  /** Lifetime of sessions, refresh tokens and the single-sign-on session, in seconds. */
  ttlSeconds: number;
  /** A new login at a client ends the user's previous session there. */
  singlePerClient: boolean;
}

/** A session a grant redeemed, and the refresh token issued with it when the client gets one. */
export interface Redeemed {
  session: SessionRecord;
  nonce?: string;
  refreshToken?: string;
}

export class SessionService {
  private readonly liveSessions: Cache<LiveSessionRecord>;

  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
    private readonly options: SessionOptions,
    private readonly events: EventSink,
    private readonly caches: Caches,
  ) {
    this.liveSessions = caches.cache('sessions');
  }

  /** A session for the user at the client and an authorization code for it (60 s, single use). */
  async issueCode(request: AuthorizationRequest, userId: string, authTime: Date, browserSessionId?: string): Promise<string> {
    const code = generateSecret('cod');
    await this.db.transaction(async () => {
      const sessionId = await store.createSession(this.db, {
        userId,
        clientId: request.clientId,
        scope: request.scope,
        authTime,
        ttlSeconds: this.options.ttlSeconds,
        single: this.options.singlePerClient,
        browserSessionId,
      });
      await store.insertCode(this.db, {
        hash: this.hasher.hash(code),
        sessionId,
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        nonce: request.nonce,
        scope: request.scope,
      });
      await this.events.record({ type: 'session.started', actor: userId, target: { kind: 'session', id: sessionId } });
    });
    return code;
  }

  /**
   * What a code is bound to, without consuming it: the grant checks client, redirect URI and
   * PKCE verifier first, so that a wrong presenter cannot burn another client's code.
   */
  async codeBindings(code: string): Promise<CodeBindings> {
    const row = code.startsWith('tsr_cod_') ? await store.findCode(this.db, this.hasher.hash(code)) : undefined;
    if (!row) throw new GrantRefused('the authorization code is not valid');
    return row;
  }

  /**
   * Consumes a code (RFC 6749 §4.1.2) and returns its session, with a refresh token if
   * `withRefreshToken`: a second redemption means it leaked, so its session is revoked. The
   * code is consumed and the refresh token stored in one transaction: both are written or
   * neither, so a client whose request failed half-way (an outage) can retry with what it holds
   * instead of being taken for a replay. A refusal thrown inside writes nothing; one returned
   * commits what it wrote (a replay's revocation).
   */
  async redeemCode(code: string, withRefreshToken: boolean): Promise<Redeemed> {
    const outcome = await this.db.transaction(async (): Promise<{ refused: DomainError } | Redeemed> => {
      const row = code.startsWith('tsr_cod_') ? await store.consumeCode(this.db, this.hasher.hash(code)) : undefined;
      if (!row) throw new GrantRefused('the authorization code is not valid');
      if (row.replayed) {
        await this.revokeOnReplay(row.session_id, row.client_id, 'an authorization code was presented twice');
        return { refused: new GrantRefused('the authorization code was already used; the tokens issued for it are revoked') };
      }
      if (row.expired) throw new GrantRefused('the authorization code has expired');
      if (!row.session_live) throw new GrantRefused('the session of this code has ended');
      const session = { id: row.session_id, user_id: row.user_id, client_id: row.client_id, scope: row.scope, auth_time: row.auth_time };
      return { session, nonce: row.nonce ?? undefined, ...(withRefreshToken ? { refreshToken: await this.issueRefreshToken(session.id) } : {}) };
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome;
  }

  /**
   * Consumes a refresh token of `clientId` (RFC 6749 §6 with rotation) and issues its
   * successor, in one statement: both are written or neither, and a refused rotation writes
   * nothing, so the client can retry with what it holds. A consumed token presented again is a
   * replay (RFC 9700 §4.14.2): the whole family is revoked. `scope` may narrow what the new
   * access token carries, never widen it (RFC 6749 §6).
   */
  async redeemRefreshToken(token: string, clientId: string, scope?: string): Promise<Redeemed> {
    if (!token.startsWith('tsr_rft_')) throw new GrantRefused('the refresh token is not valid');
    const asked = scope ? scope.split(' ').filter(Boolean) : null;
    const successor = generateSecret('rft');
    const next = { hash: this.hasher.hash(successor), ttlSeconds: this.options.ttlSeconds };
    const row = await store.rotateRefreshToken(this.db, this.hasher.hash(token), clientId, next, asked);
    if (!row) throw new GrantRefused('the refresh token is not valid');
    if (row.replayed) {
      await this.revokeOnReplay(row.id, clientId, 'a used refresh token was presented again');
      throw new GrantRefused('the refresh token was already used; its whole grant is revoked');
    }
    if (row.expired || row.revoked) throw new GrantRefused('the refresh token has expired or was revoked');
    if (row.user_state !== 'active') throw new GrantRefused('the user may not sign in');
    if (!row.scope_allowed) throw new ScopeRefused('the requested scope exceeds the original grant');
    if (!row.rotated) throw new Error('a refresh token that passed every check was not rotated');
    const session = { id: row.id, user_id: row.user_id, client_id: row.client_id, scope: asked ? asked.join(' ') : row.scope, auth_time: row.auth_time };
    return { session, refreshToken: successor };
  }

  async issueRefreshToken(sessionId: string): Promise<string> {
    const token = generateSecret('rft');
    await store.insertRefreshToken(this.db, this.hasher.hash(token), sessionId, this.options.ttlSeconds);
    return token;
  }

  /** A refresh token's session, without consuming it (introspection, revocation). */
  async findRefreshToken(token: string): Promise<RefreshTokenRecord | undefined> {
    return token.startsWith('tsr_rft_') ? store.findRefreshToken(this.db, this.hasher.hash(token)) : undefined;
  }

  /** A session that is neither revoked nor expired, with its account: cached, one indexed lookup on a miss. */
  async live(id: string): Promise<LiveSessionRecord | undefined> {
    const session = await this.liveSessions.get(id, async () => {
      const found = await store.liveSession(this.db, id);
      return found && { value: found, tags: [`session:${id}`, `user:${found.user_id}`] };
    });
    return session && session.expires_at.getTime() > this.caches.now() ? session : undefined;
  }

  /** RFC 9700 §4.14.2: a replay means a leak; the grant ends, and the audit trail says why. */
  private async revokeOnReplay(sessionId: string, clientId: string, why: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.revoke(sessionId);
      await this.events.record({ type: 'session.revoked_on_replay', actor: `client:${clientId}`, target: { kind: 'session', id: sessionId, name: why } });
    });
  }

  /** Ends a session and with it every token of the grant, on every instance at once. */
  async revoke(id: string): Promise<void> {
    await store.revokeSession(this.db, id);
  }

  /**
   * RP-initiated logout of one browser: its single-sign-on session and the client sessions
   * started in it, and the client session an ID token hint names. The user's sessions in
   * other browsers stay.
   */
  async endBrowserSession(userId: string, ended: { browserSessionId?: string; clientSessionId?: string }): Promise<void> {
    await this.db.transaction(async () => {
      if (ended.browserSessionId) await store.endBrowserSession(this.db, ended.browserSessionId);
      if (ended.clientSessionId) await store.revokeSession(this.db, ended.clientSessionId);
      await this.events.record({ type: 'session.ended', actor: userId, target: { kind: 'user', id: userId } });
    });
  }

  /** Starts single sign-on for this browser; the token goes in its cookie, the ID into the sessions started in it. */
  async startBrowserSession(userId: string, authTime: Date): Promise<{ token: string; id: string }> {
    const token = generateSecret('ses');
    const id = await store.createBrowserSession(this.db, this.hasher.hash(token), userId, authTime, this.options.ttlSeconds);
    return { token, id };
  }

  /** The single-sign-on session of a cookie, if it is live and its user active. */
  browserSession(token: string): Promise<{ id: string; user_id: string; auth_time: Date } | undefined> {
    return store.findBrowserSession(this.db, this.hasher.hash(token));
  }

  /** Removes rows that can no longer be used; every lookup already ignores them. */
  purgeExpired(): Promise<number> {
    return store.purgeExpired(this.db);
  }
}
