import type { ClientRecord } from '../../../core/clients/service.ts';
import type { Core } from '../../../core/index.ts';
import type { TokenResponse } from '../../../core/sessions/tokens.ts';

/** One grant type of the token endpoint (RFC 6749 §4), registered by name in token.ts. */
export interface Grant {
  grantType: string;
  handle(core: Core, client: ClientRecord, form: Record<string, string | undefined>): Promise<TokenResponse>;
}
