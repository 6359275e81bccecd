/**
 * The peer: `oidc-provider` (node-oidc-provider, the reference OpenID provider for Node.js)
 * in its fastest set-up: in-memory storage, opaque access tokens, one confidential client
 * allowed the client_credentials grant and introspection. Prints its port and client when
 * listening.
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const clientId = 'bench-client';
const clientSecret = 'bench-client-secret-0123456789abcdef';
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{ client_id: clientId, client_secret: clientSecret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
  features: { clientCredentials: { enabled: true }, introspection: { enabled: true }, devInteractions: { enabled: false } },
  cookies: { keys: ['bench-cookie-key'] },
});
server.on('request', provider.callback());
console.log(JSON.stringify({ port, clientId, clientSecret }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
