/**
 * The first connection to a PostgreSQL server at start. An orchestrator may start Tessera
 * before PostgreSQL answers, so a server that cannot be reached *yet* (refused, starting up,
 * no route, a name that does not resolve yet) is tried again with a growing pause, for a
 * bounded time, each attempt reported; what will not change by waiting (a wrong password, a
 * database that does not exist) fails at once. Either way the failure says in words where it
 * tried (never the password) and what to check.
 */
import { unavailableReason } from './errors.ts';

export class DatabaseUnreachable extends Error {
  constructor(
    /** `host:port/database`, without credentials. */
    readonly target: string,
    readonly reason: string,
  ) {
    super(`cannot connect to PostgreSQL at ${target}: ${reason}`);
  }
}

export interface StartupWait {
  /** How long to keep trying, in ms (0: one attempt). */
  waitMs: number;
  /** Told before each pause: the attempt that failed, why, and how long until the next. */
  onRetry?: (retry: { attempt: number; reason: string; delayMs: number; target: string }) => void;
}

/** Where a connection string points, for messages: no user, no password, no parameters. */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = url.hostname || 'localhost';
    return `${host}:${url.port || '5432'}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    return 'the configured URL';
  }
}

/** What a failed first connection means, and what to check, in words. */
export function explainConnectFailure(error: unknown): { reason: string; retry: boolean } {
  const { code } = (error ?? {}) as { code?: string };
  const known: Record<string, { reason: string; retry: boolean }> = {
    ECONNREFUSED: { reason: 'connection refused: check that PostgreSQL runs and listens on that host and port', retry: true },
    ENOTFOUND: { reason: 'the host name does not resolve: check the host in the URL', retry: true },
    EAI_AGAIN: { reason: 'the host name could not be resolved now: check the host in the URL and DNS', retry: true },
    EHOSTUNREACH: { reason: 'no route to the host: check the address and the network', retry: true },
    ENETUNREACH: { reason: 'the network is unreachable: check the address and the network', retry: true },
    ETIMEDOUT: { reason: 'no answer: check the address, the port and any firewall between', retry: true },
    '57P03': { reason: 'the database server is starting up', retry: true },
    '53300': { reason: 'the server has no free connection slot: raise max_connections or lower TESSERA_DB_POOL_SIZE', retry: true },
    '28P01': { reason: 'password authentication failed: check the user and password in the URL', retry: false },
    '28000': { reason: 'the server refused this user (pg_hba.conf): check the user and the server’s access rules', retry: false },
    '3D000': { reason: 'the database does not exist: create it (createdb) or fix the database name in the URL', retry: false },
  };
  if (code && known[code]) return known[code];
  // pg's own words when the connect timeout (TESSERA_DB_CONNECT_TIMEOUT) ran out: no answer yet.
  if (/timeout expired|timeout exceeded when trying to connect/i.test((error as Error)?.message ?? '')) {
    return { reason: 'no answer within TESSERA_DB_CONNECT_TIMEOUT: check the address, the port and any firewall between', retry: true };
  }
  const unavailable = unavailableReason(error);
  if (unavailable) return { reason: `${unavailable}: check that the server runs and is reachable`, retry: true };
  return { reason: `the server refused the connection (${code ?? (error as Error)?.message ?? 'unknown error'})`, retry: false };
}

/** Runs `attempt` until it succeeds, or the failure is not worth waiting for, or the wait is over. */
export async function connectWithin(connectionString: string, wait: StartupWait, attempt: () => Promise<unknown>): Promise<void> {
  const target = describeTarget(connectionString);
  const deadline = Date.now() + wait.waitMs;
  let delayMs = 250;
  for (let attempts = 1; ; attempts++) {
    try {
      await attempt();
      return;
    } catch (error) {
      const { reason, retry } = explainConnectFailure(error);
      if (!retry || Date.now() + delayMs > deadline) throw new DatabaseUnreachable(target, reason);
      wait.onRetry?.({ attempt: attempts, reason, delayMs, target });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }
}
