/**
 * Builds the HTTP application from explicit dependencies. Nothing here listens on a port
 * or touches the environment: cli.ts does that, and tests call buildApp directly.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { installAuth } from './http/auth.ts';
import { installOrganizationGuard } from './http/organization-guard.ts';
import { installErrorHandling } from './http/serialize.ts';
import { installBodyParsers } from './http/body-parsers.ts';
import { aclRoutes } from './resources/acl/routes.ts';
import { allocationRoutes } from './resources/allocations/routes.ts';
import { groupRoutes } from './resources/groups/routes.ts';
import { providerRoutes } from './resources/oauth2providers/routes.ts';
import { organizationRoutes } from './resources/organizations/routes.ts';
import { projectRoutes } from './resources/projects/routes.ts';
import { quotaRoutes } from './resources/quotas/routes.ts';
import { roleRoutes } from './resources/roles/routes.ts';
import { serviceAccountRoutes } from './resources/serviceaccounts/routes.ts';
import { userRoutes } from './resources/users/routes.ts';
import { clientRoutes } from './resources/oauth2clients/routes.ts';
import { discoveryRoutes } from './oauth2/discovery.ts';
import { flowRoutes } from './oauth2/flow-routes.ts';
import { logoutRoutes } from './oauth2/logout.ts';
import { signupRoutes } from './oauth2/signup.ts';
import { tokenRoutes } from './oauth2/token.ts';
import { introspectionRoutes } from './oauth2/introspect.ts';
import { revocationRoutes } from './oauth2/revoke.ts';
import { userinfoRoutes } from './oauth2/userinfo.ts';
import { systemRoutes } from './system-routes.ts';
import { buildServices } from './services.ts';
import type { ServerKeys } from './tokens/server-secret.ts';

export const bodyLimit = 64 * 1024;

/** Credentials never reach a log line, whatever logs the request. */
export const logRedactions = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.accessToken',
  '*.clientSecret',
  '*.token',
];

export interface AppOptions {
  config: Config;
  db: Db;
  keys: ServerKeys;
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp({ config, db, keys, logger }: AppOptions) {
  const app = Fastify({
    logger: logger ?? {
      level: config.logLevel,
      redact: { paths: logRedactions, censor: '[redacted]' },
      // Query strings carry codes, states and signup tokens: log the path only.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
      },
    },
    bodyLimit,
    // Refuse rather than repair: unknown fields and wrong types are client errors.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const services = buildServices(db, config, keys, app.log);

  installBodyParsers(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: '1.4.0',
        description: 'Identity API 1.4.0 compatible organization, RBAC and credential service.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    hideUntagged: false,
    transform: ({ schema, url, route }) => {
      const access = route.config?.access;
      const secured = access && access !== 'public';
      return { schema: { ...schema, ...(secured ? { security: [{ bearer: [] }] } : {}) } as typeof schema, url };
    },
  });

  installErrorHandling(app);
  installAuth(app, services.authenticator, { db, platformAdmins: new Set(config.platformAdmins) });
  installOrganizationGuard(app, db);

  for (const routes of [
    organizationRoutes, aclRoutes, roleRoutes, groupRoutes, projectRoutes, userRoutes,
    serviceAccountRoutes, providerRoutes, quotaRoutes, allocationRoutes, clientRoutes,
    discoveryRoutes, flowRoutes, tokenRoutes, userinfoRoutes, introspectionRoutes, revocationRoutes, logoutRoutes,
    signupRoutes,
  ]) {
    routes(app, services);
  }
  systemRoutes(app, services);
  await app.ready();
  return { app, services };
}

export type BuiltApp = Awaited<ReturnType<typeof buildApp>>;
