/** Builds every service from explicit dependencies; nothing is global. */
import type { Config } from './config.ts';
import { CredentialService } from './credentials/service.ts';
import type { Db } from './db/db.ts';
import { ClientService } from './resources/oauth2clients/service.ts';
import { KeyRing } from './tokens/keyring.ts';
import { Authenticator } from './credentials/authenticator.ts';
import { TokenSigner } from './tokens/jwt.ts';
import { LoginFlow } from './oauth2/login-flow.ts';
import { UpstreamProviders } from './oauth2/upstream.ts';
import { createSignupLink } from './oauth2/signup.ts';
import { AllocationService } from './resources/allocations/service.ts';
import { GroupService } from './resources/groups/service.ts';
import { OrganizationService } from './resources/organizations/service.ts';
import { ProjectService } from './resources/projects/service.ts';
import { ProviderService } from './resources/oauth2providers/service.ts';
import { QuotaService } from './resources/quotas/service.ts';
import { RoleService } from './resources/roles/service.ts';
import { ServiceAccountService } from './resources/serviceaccounts/service.ts';
import { UserService } from './resources/users/service.ts';
import { SecretHasher } from './tokens/secrets.ts';
import type { ServerKeys } from './tokens/server-secret.ts';

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function buildServices(db: Db, config: Config, keys: ServerKeys, log: Logger) {
  const hasher = new SecretHasher(keys.hashKey);
  const keyRing = new KeyRing(db, keys.encryptionKey, {
    rotationAgeSeconds: config.signingKeyRotation,
    maxTokenLifetimeSeconds: config.accessTokenTtl,
  });
  const credentials = new CredentialService(db, hasher, log);
  const signer = new TokenSigner(keyRing, config.issuer, config.accessTokenTtl);
  const upstream = new UpstreamProviders(db, keys.encryptionKey, `${config.issuer}/oidc/callback`);
  const flow = new LoginFlow({ db, hasher, config, encryptionKey: keys.encryptionKey, csrfKey: keys.csrfKey, upstream });
  const roles = new RoleService(db);
  const projects = new ProjectService(db, roles);
  const quotas = new QuotaService(db);
  return {
    db,
    config,
    keys,
    hasher,
    keyRing,
    credentials,
    signer,
    authenticator: new Authenticator(db, credentials, signer),
    upstream,
    flow,
    clients: new ClientService(db, hasher),
    roles,
    projects,
    quotas,
    organizations: new OrganizationService(db),
    groups: new GroupService(db, roles),
    users: new UserService(db, roles, (tx, userId) => createSignupLink(tx, hasher, config.issuer, userId, config.signupTokenTtl)),
    serviceAccounts: new ServiceAccountService(db, roles, credentials, config.serviceAccountTokenTtl),
    providers: new ProviderService(db, keys.encryptionKey),
    allocations: new AllocationService(db, projects, quotas),
  };
}

export type Services = ReturnType<typeof buildServices>;
