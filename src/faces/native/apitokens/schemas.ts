import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, OrganizationScopedReadMetadata, Page, withOrganization } from '../schemas.ts';

const DateTime = Type.String({ format: 'date-time' });

const Privilege = Type.Object(
  {
    roleID: Id,
    projectID: Type.Optional(Type.String({ format: 'uuid', description: 'Grant the role in this project only; leave out for the whole organization.' })),
  },
  { additionalProperties: false },
);

const Resource = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 64 }),
    path: Type.String({ minLength: 1, maxLength: 255 }),
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 32, uniqueItems: true }),
  },
  { additionalProperties: false, description: "A grant for another of the platform's services, stored and returned as given." },
);

const specFields = {
  privileges: Type.Array(Privilege, { maxItems: 20, uniqueItems: true, description: 'Roles the token holds, as a group member would.' }),
  resources: Type.Optional(Type.Array(Resource, { maxItems: 50 })),
  sourceIPs: Type.Optional(
    Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10, uniqueItems: true, description: 'IPv4/IPv6 addresses or CIDR ranges; empty: anywhere.' }),
  ),
  expiresAt: Type.Optional(Type.Union([DateTime, Type.Null()], { description: 'Fixed at creation; null: never (if the policy allows).' })),
  active: Type.Optional(Type.Boolean({ description: 'false stops the token at once, until it is turned back on.' })),
  rateLimitPerHour: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 100000000 }), Type.Null()], {
      description: "Its own request budget per hour; null: the organization policy's.",
    }),
  ),
};

export const ApiTokenWrite = Type.Object(
  {
    metadata: Type.Object({ name: Name, description: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
    spec: Type.Object(specFields, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type ApiTokenWrite = Static<typeof ApiTokenWrite>;

const readFields = {
  metadata: OrganizationScopedReadMetadata,
  spec: Type.Object({
    privileges: Type.Array(Type.Object({ roleID: Type.String(), projectID: Type.Optional(Type.String()) })),
    resources: Type.Array(Type.Object({ type: Type.String(), path: Type.String(), scopes: Type.Array(Type.String()) })),
    sourceIPs: Type.Array(Type.String()),
    expiresAt: Type.Union([DateTime, Type.Null()]),
    active: Type.Boolean(),
    rateLimitPerHour: Type.Union([Type.Integer(), Type.Null()]),
  }),
};
const statusFields = {
  state: Type.Unsafe<'active' | 'inactive' | 'expired'>({ type: 'string', enum: ['active', 'inactive', 'expired'] }),
  lastUsed: Type.Optional(Type.Object({ time: DateTime, address: Type.String() })),
  previousSecretValidUntil: Type.Optional(
    Type.String({ format: 'date-time', description: 'After a rotation with a grace period: when the old secret stops.' }),
  ),
};

export const ApiTokenRead = Type.Object({ ...readFields, status: Type.Object(statusFields) });
export const ApiTokenList = Type.Array(ApiTokenRead);
/** Create and rotate: the only time the secret is shown. */
export const ApiTokenCreated = Type.Object({
  ...readFields,
  status: Type.Object({ ...statusFields, token: Type.String({ description: 'The secret. Shown once; Tessera keeps only a keyed hash.' }) }),
});

export const ApiTokenParams = withOrganization({ apitokenID: Id });

export const ApiTokenQuery = Type.Object(
  {
    ...Page.properties,
    state: Type.Optional(Type.Unsafe<'active' | 'inactive' | 'expired'>({ type: 'string', enum: ['active', 'inactive', 'expired'] })),
    search: Type.Optional(Type.String({ maxLength: 100, description: 'Tokens whose name contains this (case-insensitive).' })),
    expiresBefore: Type.Optional(DateTime),
    lastUsedBefore: Type.Optional(Type.String({ format: 'date-time', description: 'Tokens not used since (never used ones included).' })),
  },
  { additionalProperties: false },
);

export const RotateRequest = Type.Object(
  {
    gracePeriodSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 604800, description: 'How long the old secret keeps working (0 to 7 days; default 0: it stops at once).' }),
    ),
  },
  { additionalProperties: false },
);

export const ApiTokenPolicyBody = Type.Object(
  {
    maxLifetimeSeconds: Type.Union([Type.Integer({ minimum: 60, maximum: 315360000 }), Type.Null()], { description: 'null: no limit.' }),
    requireExpiry: Type.Boolean(),
    maxTokens: Type.Integer({ minimum: 1, maximum: 100000, description: 'Expired and inactive tokens count until deleted.' }),
    rateLimitPerHour: Type.Integer({ minimum: 1, maximum: 100000000 }),
  },
  { additionalProperties: false },
);
export type ApiTokenPolicyBody = Static<typeof ApiTokenPolicyBody>;
