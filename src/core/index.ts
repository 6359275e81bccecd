/**
 * Builds the core: every domain service from explicit dependencies; nothing is global.
 * Faces receive this object and call services only; no face touches the database.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { isReady } from '../db/index.ts';
import { Caches } from '../kernel/cache.ts';
import type { EventOrigin, EventSink } from '../kernel/events.ts';
import type { Logger } from '../kernel/log.ts';
import { Caller } from '../rbac/caller.ts';
import type { Principal } from '../rbac/model.ts';
import { TokenSigner } from '../tokens/jwt.ts';
import { SecretHasher } from '../tokens/secrets.ts';
import type { ServerKeys } from '../tokens/server-secret.ts';
import { ApiTokenAuthentication } from './apitokens/authentication.ts';
import { ApiTokenService } from './apitokens/service.ts';
import { AuditService } from './audit/service.ts';
import { ClientService } from './clients/service.ts';
import { Authenticator } from './credentials/authenticator.ts';
import { CredentialService } from './credentials/service.ts';
import { GroupService } from './groups/service.ts';
import { TokenIssuance } from './issuance/service.ts';
import { KeyRing } from './keys/service.ts';
import { OidcClaimsService } from './oidcclaims/service.ts';
import { OnboardingService } from './onboarding/service.ts';
import { OrganizationService } from './organizations/service.ts';
import { ProjectService } from './projects/service.ts';
import { ProviderService } from './providers/service.ts';
import { UpstreamProviders } from './providers/upstream.ts';
import { AllocationService } from './quotas/allocations.ts';
import { QuotaService } from './quotas/service.ts';
import { RoleService } from './roles/service.ts';
import { ServiceAccountService } from './serviceaccounts/service.ts';
import { LoginRequestService } from './sessions/login-requests.ts';
import { SessionService } from './sessions/service.ts';
import { TrustPolicyService } from './trustpolicies/service.ts';
import { UserService } from './users/service.ts';
import { WorkloadTokenService } from './workload/service.ts';

export interface CoreSeams {
  /** Another sink for domain events, after the audit trail (which always gets them). */
  events?: EventSink;
}

export function buildCore(db: Db, config: Config, keys: ServerKeys, log: Logger, seams: CoreSeams = {}) {
  const audit = new AuditService(db, log);
  const extra = seams.events;
  // The audit trail first, in the change's transaction; a further sink (tests, exporters) after it.
  const events: EventSink = extra
    ? {
        record: async (event) => {
          await audit.record(event);
          await extra.record(event);
        },
      }
    : audit;
  const hasher = new SecretHasher(keys.hashKey);
  // In use once the change feed is followed (followChanges), bypassed until then.
  const caches = new Caches({ maxEntries: config.cacheEntries, ttlMs: config.cacheTtl * 1000 });
  const keyRing = new KeyRing(
    db,
    keys.encryptionKey,
    { rotationAgeSeconds: config.signingKeyRotation, maxTokenLifetimeSeconds: config.accessTokenTtl },
    events,
  );
  const signer = new TokenSigner(keyRing, config.issuer, config.accessTokenTtl);
  const roles = new RoleService(db, new Set(config.platformAdmins), caches);
  const providers = new ProviderService(db, keys.encryptionKey, events);
  const organizations = new OrganizationService(db, providers, events, caches);
  const groups = new GroupService(db, roles, events);
  const users = new UserService(db, groups, hasher, { issuer: config.issuer, ttlSeconds: config.signupTokenTtl }, events);
  const credentials = new CredentialService(db, hasher, log, caches);
  const clients = new ClientService(db, hasher, events, caches);
  const sessions = new SessionService(
    db,
    hasher,
    { ttlSeconds: config.refreshTokenTtl, singlePerClient: config.sessionsPerClient === 'single' },
    events,
    caches,
  );
  const projects = new ProjectService(db, groups, events);
  const quotas = new QuotaService(db, organizations, events);
  const apiTokens = new ApiTokenService(db, roles, hasher, config.apiTokenPolicy, events);
  const apiTokenUse = new ApiTokenAuthentication(db, hasher, audit, log, caches);
  const oidcClaims = new OidcClaimsService(db, projects, config.workloadTokenMaxTtl * 1000, events, caches);
  const serviceAccounts = new ServiceAccountService(db, groups, credentials, config.serviceAccountTokenTtl, events);
  const issuance = new TokenIssuance(signer, users);
  const workloadTokens = new WorkloadTokenService(oidcClaims, organizations, issuance, config.issuer, events);
  const trustPolicies = new TrustPolicyService(
    db,
    { own: workloadTokens, localKey: (kid) => keyRing.verificationKey(kid), maxTtlSeconds: config.accessTokenTtl },
    events,
    audit,
    serviceAccounts,
  );
  return {
    config,
    keys,
    caches,
    keyRing,
    signer,
    roles,
    providers,
    upstream: new UpstreamProviders(`${config.issuer}/oidc/callback`),
    organizations,
    groups,
    users,
    credentials,
    clients,
    sessions,
    logins: new LoginRequestService(db, hasher, keys.encryptionKey),
    issuance,
    authenticator: new Authenticator(credentials, apiTokenUse, signer, sessions, clients, caches),
    apiTokens,
    apiTokenUse,
    oidcClaims,
    trustPolicies,
    workloadTokens,
    audit,
    serviceAccounts,
    projects,
    quotas,
    allocations: new AllocationService(db, organizations, projects, quotas, events),
    onboarding: new OnboardingService(db, organizations, groups, users, roles, { enabled: config.onboarding, offered: config.onboardingRoles }),
    /** Whether the database answers (readiness). */
    ready: () => isReady(db),
    /** The Caller of a principal, with its ACL computed on demand. */
    caller: (principal: Principal, origin?: EventOrigin) => new Caller(principal, roles.aclOf, origin),
  };
}

export type Core = ReturnType<typeof buildCore>;

/**
 * What faces see of the core: its services, and of the configuration only what they say on the
 * wire. Server keys, the signer and the caches stay inside (a face that wants a token asks the
 * issuance service; the browser face gets its CSRF key from the composition).
 */
export type Services = Omit<Core, 'keys' | 'signer' | 'caches' | 'config'> & {
  readonly config: Pick<Config, 'issuer' | 'refreshTokenTtl' | 'metricsToken'>;
};

/** The faces' view of the core, as an object of its own: what `Services` names, and nothing else. */
export function servicesOf(core: Core): Services {
  const { keys: _keys, signer: _signer, caches: _caches, config, ...services } = core;
  return { ...services, config: { issuer: config.issuer, refreshTokenTtl: config.refreshTokenTtl, metricsToken: config.metricsToken } };
}
