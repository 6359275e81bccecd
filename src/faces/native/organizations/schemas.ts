import { type Static, Type } from '@sinclair/typebox';
import { Id, Page, ReadMetadata, StringEnum, WriteMetadata } from '../schemas.ts';

const specFields = {
  organizationType: StringEnum(['adhoc', 'domain'], {
    description: 'adhoc: members sign in with any provider; domain: emails of `domain` sign in with the organization provider.',
  }),
  domain: Type.Optional(Type.String({ format: 'hostname', maxLength: 253, description: "Email domain routed to this organization's provider." })),
  providerScope: Type.Optional(StringEnum(['global', 'organization'])),
  providerID: Type.Optional(Id),
  googleCustomerID: Type.Optional(Type.String({ maxLength: 256 })),
};

export const OrganizationSpec = Type.Object(specFields, { additionalProperties: false });
export const OrganizationWrite = Type.Object({ metadata: WriteMetadata, spec: OrganizationSpec }, { additionalProperties: false });
export type OrganizationWrite = Static<typeof OrganizationWrite>;
export const OrganizationRead = Type.Object({ metadata: ReadMetadata, spec: Type.Object(specFields) });
export const OrganizationList = Type.Array(OrganizationRead);
export const OrganizationQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 320, description: 'List the organizations this user belongs to.' })),
    ...Page.properties,
  },
  { additionalProperties: false },
);
