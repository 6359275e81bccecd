/**
 * RFC 6749 §4.4 for system accounts: a confidential client with a role (the core refuses public
 * clients this grant). Hot path: one read (the client, already done by client authentication),
 * one signature, no write.
 */
import { clientOf, type Grant } from './types.ts';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: [],
  authentication: 'client',
  async handle(context) {
    return context.core.issuance.forClient(clientOf(context).id, this.grantType);
  },
};
