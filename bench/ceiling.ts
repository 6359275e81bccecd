/**
 * The ceiling: a bare `node:http` server answering every request with a small JSON body, the
 * most any Node.js HTTP service can do on this machine. Prints its port when listening.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({ global: {}, organization: { id: '00000000-0000-0000-0000-000000000000', permissions: {} }, projects: [] });

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
