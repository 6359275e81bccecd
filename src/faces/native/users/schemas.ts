import { type Static, Type } from '@sinclair/typebox';
import { Id, IdList, OrganizationScopedReadMetadata, StringEnum, WriteMetadata, withOrganization } from '../schemas.ts';

const UserState = StringEnum(['active', 'pending', 'suspended']);

export const UserWrite = Type.Object(
  {
    metadata: Type.Optional(WriteMetadata),
    spec: Type.Object(
      {
        subject: Type.String({ format: 'email', maxLength: 320, description: "The user's email address." }),
        state: UserState,
        groupIDs: IdList,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type UserWrite = Static<typeof UserWrite>;

export const UserRead = Type.Object({
  metadata: OrganizationScopedReadMetadata,
  spec: Type.Object({ subject: Type.String(), state: UserState, groupIDs: Type.Array(Type.String()) }),
  status: Type.Object({
    lastActive: Type.Optional(Type.String({ format: 'date-time', description: 'The last sign-in since the membership began.' })),
    signupLink: Type.Optional(
      Type.String({
        description:
          'On create only, for every member added: the single-use invitation link, shown once. It activates a pending account; for an account already active it only confirms. Its presence says nothing of whether the account existed.',
      }),
    ),
  }),
});
export const UserList = Type.Array(UserRead);
export const UserParams = withOrganization({ userID: Id });
