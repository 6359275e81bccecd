/**
 * A TCP proxy in front of the real PostgreSQL, for fault injection: it forwards, drops every
 * connection (a restart or failover), refuses new ones (the server is down), or swallows
 * traffic (a dead network, a hung server). Nothing of the database is imitated.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** `refuse`: the server is down; `refuseNew`: open connections go on, new ones are refused. */
export type ProxyMode = 'forward' | 'refuse' | 'refuseNew' | 'hang';

export interface TcpProxy {
  /** host:port to connect to instead of the target. */
  address: string;
  mode(mode: ProxyMode): void;
  /** Closes every open connection (both sides), as a server crash would. */
  dropAll(): void;
  /** Resolves once a connection has been refused (in a refusing mode). */
  refusedOne(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  let refused!: () => void;
  const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
  const pairs = new Set<{ client: Socket; upstream?: Socket }>();
  const server: Server = createServer((client) => {
    if (mode === 'refuse' || mode === 'refuseNew') {
      refused();
      return void client.destroy();
    }
    const pair: { client: Socket; upstream?: Socket } = { client };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'hang') return; // accepted, never answered
    const upstream = connect(target);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    const forwarding = () => mode === 'forward' || mode === 'refuseNew';
    client.on('data', (chunk) => forwarding() && upstream.write(chunk));
    upstream.on('data', (chunk) => forwarding() && client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    mode: (next) => {
      mode = next;
    },
    refusedOne: () => firstRefusal,
    dropAll() {
      for (const { client, upstream } of pairs) {
        upstream?.destroy();
        client.destroy();
      }
      pairs.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const { client, upstream } of pairs) {
          upstream?.destroy();
          client.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
