import { type Static, Type } from '@sinclair/typebox';
import { Id, IdList, OrganizationScopedReadMetadata, WriteMetadata, withOrganization } from '../schemas.ts';

const specFields = {
  userIDs: IdList,
  serviceAccountIDs: IdList,
  roleIDs: IdList,
};

export const GroupWrite = Type.Object(
  { metadata: WriteMetadata, spec: Type.Object(specFields, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type GroupWrite = Static<typeof GroupWrite>;
export const GroupRead = Type.Object({ metadata: OrganizationScopedReadMetadata, spec: Type.Object(specFields) });
export const GroupList = Type.Array(GroupRead);
export const GroupParams = withOrganization({ groupid: Id });
