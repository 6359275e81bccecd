import { type Static, Type } from '@sinclair/typebox';
import { Id, ProjectScopedReadMetadata, WriteMetadata, withOrganization } from '../schemas.ts';

const Amount = Type.Integer({ minimum: 0, maximum: 2147483647 });

export const AllocationWrite = Type.Object(
  {
    metadata: WriteMetadata,
    spec: Type.Object(
      {
        kind: Type.String({ minLength: 1, maxLength: 253, description: 'Kind of the consuming resource, e.g. "kubernetescluster".' }),
        id: Type.String({ minLength: 1, maxLength: 253, description: 'ID of the consuming resource.' }),
        allocations: Type.Array(
          Type.Object({ kind: Type.String({ minLength: 1, maxLength: 63 }), committed: Amount, reserved: Amount }, { additionalProperties: false }),
          { maxItems: 256 },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type AllocationWrite = Static<typeof AllocationWrite>;

export const AllocationRead = Type.Object({
  metadata: ProjectScopedReadMetadata,
  spec: Type.Object({
    kind: Type.String(),
    id: Type.String(),
    allocations: Type.Array(Type.Object({ kind: Type.String(), committed: Type.Integer(), reserved: Type.Integer() })),
  }),
});
export const AllocationList = Type.Array(AllocationRead);
export const AllocationCollectionParams = withOrganization({ projectID: Id });
export const AllocationParams = withOrganization({ projectID: Id, allocationID: Id });
