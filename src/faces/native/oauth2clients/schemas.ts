import { type Static, Type } from '@sinclair/typebox';
import { Id, ReadMetadata, StringEnum, WriteMetadata } from '../schemas.ts';

const Uri = Type.String({ format: 'uri', maxLength: 2048 });
const GrantType = StringEnum(['authorization_code', 'refresh_token', 'client_credentials']);
const Scope = StringEnum(['openid', 'email', 'profile']);

const specFields = {
  redirectURIs: Type.Array(Uri, { maxItems: 32, uniqueItems: true, description: 'Exact redirect URIs (compared character for character).' }),
  postLogoutRedirectURIs: Type.Optional(Type.Array(Uri, { maxItems: 32, uniqueItems: true })),
  public: Type.Optional(Type.Boolean({ description: 'A public client (browser or native app): no secret, PKCE only.' })),
  tokenEndpointAuthMethod: Type.Optional(
    StringEnum(['client_secret_basic', 'client_secret_post', 'none'], { description: '"none" is for public clients, and implied by public: true.' }),
  ),
  grantTypes: Type.Optional(Type.Array(GrantType, { minItems: 1, uniqueItems: true })),
  scopes: Type.Optional(Type.Array(Scope, { uniqueItems: true })),
  roleID: Type.Optional(Id),
  loginURI: Type.Optional(Uri),
  onboardingURI: Type.Optional(Uri),
  homeURI: Type.Optional(Uri),
  errorURI: Type.Optional(Uri),
  idTokenSignedResponseAlg: Type.Optional(StringEnum(['RS256', 'ES256'], { description: 'How ID tokens for this client are signed; RS256 when left out.' })),
};

export const ClientWrite = Type.Object(
  { metadata: WriteMetadata, spec: Type.Object(specFields, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type ClientWrite = Static<typeof ClientWrite>;

const ReadSpec = Type.Object({
  ...specFields,
  postLogoutRedirectURIs: Type.Array(Uri),
  public: Type.Boolean(),
  tokenEndpointAuthMethod: StringEnum(['client_secret_basic', 'client_secret_post', 'none']),
  grantTypes: Type.Array(GrantType),
  scopes: Type.Array(Scope),
  idTokenSignedResponseAlg: StringEnum(['RS256', 'ES256']),
});
export const ClientRead = Type.Object({ metadata: ReadMetadata, spec: ReadSpec, status: Type.Object({ clientID: Type.String() }) });
export const ClientCreated = Type.Object({
  metadata: ReadMetadata,
  spec: ReadSpec,
  status: Type.Object({
    clientID: Type.String(),
    clientSecret: Type.Optional(Type.String({ description: 'Shown once; Tessera keeps only a keyed hash.' })),
  }),
});
export const ClientList = Type.Array(ClientRead);
export const ClientParams = Type.Object({ clientID: Id });
