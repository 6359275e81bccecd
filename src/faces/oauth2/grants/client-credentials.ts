/**
 * RFC 6749 §4.4 for system accounts: a confidential client with a role. Hot path: one read
 * (the client, already done by client authentication), one signature, no write.
 */
import { UnauthorizedClient } from '../../../kernel/errors.ts';
import type { Grant } from './types.ts';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle(core, client) {
    if (client.token_endpoint_auth_method === 'none') throw new UnauthorizedClient('a public client cannot use client_credentials');
    return core.tokens.forClient(client.id);
  },
};
