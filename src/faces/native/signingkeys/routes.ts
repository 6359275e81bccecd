/**
 * The signing key ring, for platform administrators: which keys sign and which are still
 * published, and a rotation a running server performs itself (`tessera keys rotate` calls it
 * when a server holds the embedded database).
 */
import { Type } from '@sinclair/typebox';
import type { SigningKeyRecord } from '../../../core/keys/service.ts';
import { errorResponses, type RouteModule, requires } from '../routing.ts';

const tags = ['signingkeys'];

const SigningKey = Type.Object({
  kid: Type.String({ description: 'The key ID (RFC 7638 thumbprint), as in the JWKS and token headers.' }),
  algorithm: Type.String({ description: 'ES256 or RS256.' }),
  createdAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('current'), Type.Literal('retired')], { description: 'current: signs; retired: only verifies.' }),
  publishedUntil: Type.Optional(Type.String({ format: 'date-time', description: 'A retired key leaves the JWKS then.' })),
});
const Rotated = Type.Object({ keys: Type.Array(SigningKey) });

const keyToWire = (key: SigningKeyRecord) => ({
  kid: key.kid,
  algorithm: key.alg,
  createdAt: key.created_at.toISOString(),
  status: key.retired_at ? ('retired' as const) : ('current' as const),
  ...(key.published_until ? { publishedUntil: key.published_until.toISOString() } : {}),
});

export const signingKeyRoutes: RouteModule = (app, { core: { keyRing } }) => {
  app.get('/api/v1/signingkeys', {
    schema: { operationId: 'listSigningKeys', tags, response: { 200: Type.Array(SigningKey), ...errorResponses() } },
    config: requires('global', 'identity:signingkeys', 'read'),
    handler: async () => (await keyRing.list()).map(keyToWire),
  });
  app.post('/api/v1/signingkeys/rotate', {
    schema: { operationId: 'rotateSigningKeys', tags, response: { 200: Rotated, ...errorResponses() } },
    config: requires('global', 'identity:signingkeys', 'create'),
    handler: async (req) => {
      const made = new Set(Object.values(await keyRing.rotate(req.caller)));
      return { keys: (await keyRing.published()).filter((key) => made.has(key.kid)).map(keyToWire) };
    },
  });
};
