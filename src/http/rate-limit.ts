/**
 * The rate-limit seam: every face asks once per request, after it knows who is calling, and
 * answers a refusal in its own envelope. The default allows everything; a limiter with
 * counters plugs in here without touching any face.
 */
import type { Principal } from '../rbac/model.ts';

export interface RateLimitQuery {
  /** Which face the request came in on (`native`, `oauth2`, `browser`, a vendor face...). */
  face: string;
  /** The route pattern, e.g. `/api/v1/organizations/:organizationID/groups`. */
  route: string;
  /** The client address (the socket's, or the trusted proxy's forwarded one). */
  ip: string;
  principal?: Principal;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  check(query: RateLimitQuery): Promise<RateLimitDecision>;
}

export const unlimited: RateLimiter = { check: async () => ({ allowed: true }) };
