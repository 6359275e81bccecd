import type { Db } from '../../db/db.ts';
import type { ClientRow } from '../../resources/oauth2clients/store.ts';
import type { SecretHasher } from '../../tokens/secrets.ts';
import type { TokenResponse } from '../issue.ts';
import type { TokenSigner } from '../../tokens/jwt.ts';

export interface GrantContext {
  db: Db;
  signer: TokenSigner;
  hasher: SecretHasher;
  refreshTokenTtl: number;
}

/** One grant type of the token endpoint (RFC 6749 §4), registered by name in token.ts. */
export interface Grant {
  grantType: string;
  handle(ctx: GrantContext, client: ClientRow, form: Record<string, string | undefined>): Promise<TokenResponse | Omit<TokenResponse, 'scope'>>;
}
