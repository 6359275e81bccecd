/**
 * Schemas shared by every resource, after the Identity API's core `common.spec.yaml`. They
 * validate requests (unknown fields are refused, not dropped), shape responses (undeclared
 * fields never leave the server) and generate /openapi.json.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { labelValuePattern } from '../../core/common/metadata.ts';

/** A Kubernetes label value: 1-63 characters, alphanumeric at both ends, `-_.` inside. */
export const Name = Type.String({
  pattern: labelValuePattern,
  description: '1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (a Kubernetes label value)',
});

/** A string enum, emitted as JSON Schema `enum` (as the Identity API spec writes its enums). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const Id = Type.String({ format: 'uuid', description: 'A resource ID (UUID).' });
export const IdList = Type.Array(Id, { maxItems: 1000, uniqueItems: true });

export const Tag = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 253 }), value: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);

export const WriteMetadata = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2048 })),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type WriteMetadata = Static<typeof WriteMetadata>;

const DateTime = Type.String({ format: 'date-time' });

const readMetadataFields = {
  id: Type.String(),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Tag)),
  creationTime: DateTime,
  createdBy: Type.Optional(Type.String()),
  modifiedTime: Type.Optional(DateTime),
  modifiedBy: Type.Optional(Type.String()),
  deletionTime: Type.Optional(DateTime),
  provisioningStatus: StringEnum(['unknown', 'provisioning', 'provisioned', 'deprovisioning', 'error']),
  healthStatus: StringEnum(['unknown', 'healthy', 'degraded', 'error']),
};

export const ReadMetadata = Type.Object(readMetadataFields);
export const OrganizationScopedReadMetadata = Type.Object({ ...readMetadataFields, organizationId: Type.String() });
export const ProjectScopedReadMetadata = Type.Object({
  ...readMetadataFields,
  organizationId: Type.String(),
  projectId: Type.String(),
});

export const ErrorBody = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
});

export const Page = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'a number of items from 1 to 1000' })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: "The cursor from the previous page's Link header." })),
  },
  { additionalProperties: false },
);
export type Page = Static<typeof Page>;

export const OrganizationParams = Type.Object({ organizationID: Id });
export const withOrganization = <T extends Record<string, TSchema>>(fields: T) => Type.Object({ organizationID: Id, ...fields });

/** A success with no body (the Identity API answers several writes this way). */
export const Empty = Type.Unsafe<void>({ description: 'The request succeeded; there is no body.' });
