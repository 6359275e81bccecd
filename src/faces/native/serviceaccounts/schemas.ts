import { type Static, Type } from '@sinclair/typebox';
import { Id, IdList, OrganizationScopedReadMetadata, WriteMetadata, withOrganization } from '../schemas.ts';

export const ServiceAccountWrite = Type.Object(
  { metadata: WriteMetadata, spec: Type.Object({ groupIDs: IdList }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type ServiceAccountWrite = Static<typeof ServiceAccountWrite>;

const readFields = {
  metadata: OrganizationScopedReadMetadata,
  spec: Type.Object({ groupIDs: Type.Array(Type.String()) }),
};

export const ServiceAccountRead = Type.Object({
  ...readFields,
  status: Type.Object({ expiry: Type.String({ format: 'date-time', description: 'When the current token expires.' }) }),
});
/** Answers create and rotate: the only time the token is ever shown. */
export const ServiceAccountCreated = Type.Object({
  ...readFields,
  status: Type.Object({
    expiry: Type.String({ format: 'date-time' }),
    accessToken: Type.String({ description: 'The bearer token. Shown once; Tessera keeps only a keyed hash.' }),
  }),
});
export const ServiceAccountList = Type.Array(ServiceAccountRead);
export const ServiceAccountParams = withOrganization({ serviceAccountID: Id });
