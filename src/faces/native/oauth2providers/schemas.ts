import { type Static, Type } from '@sinclair/typebox';
import { Id, OrganizationScopedReadMetadata, ReadMetadata, StringEnum, WriteMetadata, withOrganization } from '../schemas.ts';

const ProviderType = StringEnum(['google', 'microsoft', 'github'], {
  description: 'A well-known provider; leave out for any OpenID Connect issuer.',
});

export const ProviderWrite = Type.Object(
  {
    metadata: WriteMetadata,
    spec: Type.Object(
      {
        type: Type.Optional(ProviderType),
        issuer: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
        clientID: Type.String({ minLength: 1, maxLength: 1024 }),
        clientSecret: Type.Optional(
          Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only: stored encrypted, never returned. Omit on update to keep the current one.' }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ProviderWrite = Static<typeof ProviderWrite>;

const ReadSpec = Type.Object({ type: Type.Optional(ProviderType), issuer: Type.String(), clientID: Type.String() });
const SystemReadMetadata = Type.Object({
  ...ReadMetadata.properties,
  organizationId: Type.String({ maxLength: 0, description: 'Always empty: a system provider belongs to no organization.' }),
});
export const SystemProviderRead = Type.Object({ metadata: SystemReadMetadata, spec: ReadSpec });
export const SystemProviderList = Type.Array(SystemProviderRead);
export const ProviderRead = Type.Object({ metadata: OrganizationScopedReadMetadata, spec: ReadSpec });
export const ProviderList = Type.Array(ProviderRead);
export const SystemProviderParams = Type.Object({ providerID: Id });
export const ProviderParams = withOrganization({ providerID: Id });
