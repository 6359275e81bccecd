/**
 * Trust policies of service accounts, and the token exchange they allow (RFC 8693): a
 * workload presents a JWT from an issuer a policy trusts (any OpenID Connect issuer, found
 * through its discovery document, or Tessera's own per-organization workload issuers) and
 * gets a short-lived access token of the service account. The token is verified in full
 * (signature, issuer, expiry, not-before, audience, subject pattern, required claims); a
 * refusal says nothing that helps an attacker, and every exchange is audited.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Db } from '../../db/db.ts';
import { GrantRefused, InvalidRequest, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { isLoopbackHttp } from '../../kernel/ip.ts';
import type { Caller } from '../../rbac/caller.ts';
import type { AuditService } from '../audit/service.ts';
import type { ServiceAccountService } from '../serviceaccounts/service.ts';
import type { WorkloadTokenService } from '../workload/service.ts';
import { globMatches, maxPatternLength, maxSubjectLength } from './glob.ts';
import type { TrustPolicyInput, TrustPolicyRecord } from './model.ts';
import * as store from './store.ts';

export type { TrustPolicyInput, TrustPolicyRecord } from './model.ts';

export interface Exchanged {
  serviceAccountId: string;
  organizationId: string;
  policyId: string;
  /** What is left of the subject token's life, bounded by the configured maximum. */
  ttlSeconds: number;
}

/** Public-key signatures only: never `none`, never an HMAC keyed with what is public. */
const asymmetric = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export class TrustPolicyService {
  private readonly remoteKeys = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();

  constructor(
    private readonly db: Db,
    private readonly options: {
      /** Tessera's own workload issuers: their keys are local, and their tokens die with what they name. */
      own: Pick<WorkloadTokenService, 'ownsIssuer' | 'stillLive'>;
      localKey: (kid: string) => Promise<CryptoKey | undefined>;
      maxTtlSeconds: number;
    },
    private readonly events: EventSink,
    private readonly audit: Pick<AuditService, 'refusal'>,
    /** The accounts that policies belong to: a list or a create under one that is not there is a 404. */
    private readonly accounts: Pick<ServiceAccountService, 'require'>,
  ) {}

  async list(organizationId: string, serviceAccountId: string): Promise<TrustPolicyRecord[]> {
    await this.accounts.require(organizationId, serviceAccountId);
    return store.listPolicies(this.db, organizationId, serviceAccountId);
  }

  async get(organizationId: string, serviceAccountId: string, id: string): Promise<TrustPolicyRecord> {
    const policy = await store.getPolicy(this.db, organizationId, serviceAccountId, id);
    if (!policy) throw new NotFound('trust policy not found');
    return policy;
  }

  async create(caller: Caller, organizationId: string, serviceAccountId: string, input: TrustPolicyInput): Promise<TrustPolicyRecord> {
    let issuer: URL;
    try {
      issuer = new URL(input.issuer);
    } catch {
      throw new InvalidRequest('issuer must be an https URL');
    }
    if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) throw new InvalidRequest('issuer must be an https URL');
    if (!input.audiences.length) throw new InvalidRequest('audiences must name at least one audience');
    if (!input.subjectPattern.length || input.subjectPattern.length > maxPatternLength) {
      throw new InvalidRequest(`subjectPattern must be 1 to ${maxPatternLength} characters`);
    }
    return this.db.transaction(async () => {
      await this.accounts.require(organizationId, serviceAccountId);
      const id = randomUUID();
      await store.insertPolicy(this.db, { id, organizationId, serviceAccountId, input, actor: caller.subject });
      await this.events.record(caller.event({ type: 'trustpolicy.created', organizationId, target: { kind: 'serviceaccount', id: serviceAccountId } }));
      return this.get(organizationId, serviceAccountId, id);
    });
  }

  async delete(caller: Caller, organizationId: string, serviceAccountId: string, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deletePolicy(this.db, organizationId, serviceAccountId, id))) throw new NotFound('trust policy not found');
      await this.events.record(caller.event({ type: 'trustpolicy.deleted', organizationId, target: { kind: 'serviceaccount', id: serviceAccountId } }));
    });
  }

  /** RFC 8693 §2.1: the subject token for a service account's access, or invalid_grant. */
  async exchange(subjectToken: string, from: { ip?: string }): Promise<Exchanged> {
    const refuse = async (detail: string, issuer?: string): Promise<never> => {
      await this.audit.refusal({ action: 'tokenexchange.refused', outcome: 'denied', actor: { subject: issuer, ip: from.ip }, detail });
      throw new GrantRefused('the subject token is not accepted').withDetail(detail);
    };
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(subjectToken).iss;
    } catch {
      return refuse('the subject token is not a JWT');
    }
    if (!issuer) return refuse('the subject token has no issuer');
    const policies = await store.policiesOfIssuer(this.db, issuer);
    if (!policies.length) return refuse('no trust policy names this issuer', issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(subjectToken, await this.keysOf(issuer), { issuer, algorithms: asymmetric, requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      return refuse(`the subject token does not verify: ${(error as Error).message}`.slice(0, 200), issuer);
    }
    if (this.options.own.ownsIssuer(issuer) && !(await this.options.own.stillLive(issuer, payload))) {
      return refuse('the organization or project of the subject token is deleted or being deleted', issuer);
    }
    const subject = payload.sub ?? '';
    if (subject.length > maxSubjectLength) return refuse(`the subject is longer than ${maxSubjectLength} characters`, issuer);
    const audiences = ([] as string[]).concat(payload.aud ?? []);
    const policy = policies.find(
      (p) =>
        p.audiences.some((a) => audiences.includes(a)) &&
        globMatches(p.subject_pattern, subject) &&
        Object.entries(p.required_claims).every(([claim, value]) => payload[claim] === value),
    );
    if (!policy) return refuse(`no trust policy of this issuer matches the subject ${subject}`, issuer);
    const ttlSeconds = Math.min(this.options.maxTtlSeconds, (payload.exp ?? 0) - Math.floor(Date.now() / 1000));
    if (ttlSeconds < 1) return refuse('the subject token is about to expire', issuer);
    await this.events.record({
      type: 'serviceaccount.token_exchanged',
      actor: payload.sub ?? issuer,
      origin: { actorKind: 'workload', ip: from.ip },
      organizationId: policy.organization_id,
      target: { kind: 'serviceaccount', id: policy.service_account_id, name: `trust policy ${policy.id}` },
    });
    return { serviceAccountId: policy.service_account_id, organizationId: policy.organization_id, policyId: policy.id, ttlSeconds };
  }

  /** Tessera's own keys for its workload issuers; an outside issuer's JWKS through its discovery (jose refetches on an unknown `kid`). */
  private async keysOf(issuer: string) {
    if (this.options.own.ownsIssuer(issuer)) {
      return async (header: { kid?: string }) => {
        const key = header.kid ? await this.options.localKey(header.kid) : undefined;
        if (!key) throw new Error('unknown signing key');
        return key;
      };
    }
    let keys = this.remoteKeys.get(issuer);
    if (!keys) {
      // openid-client's discovery also checks that the document names the issuer it was fetched for.
      const url = new URL(issuer);
      const execute = isLoopbackHttp(url) ? [oidc.allowInsecureRequests] : [];
      keys = oidc.discovery(url, 'tessera-token-exchange', undefined, undefined, { execute, timeout: 5 }).then((config) => {
        const jwksUri = config.serverMetadata().jwks_uri;
        if (!jwksUri) throw new Error('discovery names no jwks_uri');
        return createRemoteJWKSet(new URL(jwksUri));
      });
      keys.catch(() => this.remoteKeys.delete(issuer)); // retried on the next exchange
      this.remoteKeys.set(issuer, keys);
    }
    return keys;
  }
}
