import { type Static, Type } from '@sinclair/typebox';
import { Id, IdList, OrganizationScopedReadMetadata, WriteMetadata, withOrganization } from '../schemas.ts';

export const ProjectWrite = Type.Object(
  { metadata: WriteMetadata, spec: Type.Object({ groupIDs: IdList }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type ProjectWrite = Static<typeof ProjectWrite>;
export const ProjectRead = Type.Object({
  metadata: OrganizationScopedReadMetadata,
  spec: Type.Object({ groupIDs: Type.Array(Type.String()) }),
});
export const ProjectList = Type.Array(ProjectRead);
export const ProjectParams = withOrganization({ projectID: Id });
