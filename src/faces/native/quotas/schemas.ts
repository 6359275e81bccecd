import { type Static, Type } from '@sinclair/typebox';

export const QuotasWrite = Type.Object(
  {
    quotas: Type.Array(
      Type.Object(
        { kind: Type.String({ minLength: 1, maxLength: 63 }), quantity: Type.Integer({ minimum: 0, maximum: 2147483647 }) },
        { additionalProperties: false },
      ),
      { maxItems: 256 },
    ),
  },
  { additionalProperties: false },
);
export type QuotasWrite = Static<typeof QuotasWrite>;

export const QuotasRead = Type.Object({
  quotas: Type.Array(
    Type.Object({
      kind: Type.String(),
      quantity: Type.Integer(),
      used: Type.Integer(),
      free: Type.Integer(),
      committed: Type.Integer(),
      reserved: Type.Integer(),
      displayName: Type.String(),
      description: Type.String(),
      default: Type.Integer(),
    }),
  ),
});
