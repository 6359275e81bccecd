/**
 * The rate-limit seam: every face asks once per request, after it knows who is calling, and
 * answers a refusal in its own envelope and headers. Each credential has its own hourly
 * budget (an API token, a service account, a system client, a user); exhausting one never
 * touches another. Failed authentications are budgeted per client address, which slows down
 * credential stuffing. `unlimited` (the default of buildApp) allows everything.
 */
import type { Counters } from '../core/ratelimits/counters.ts';
import type { Principal } from '../rbac/model.ts';

export interface RateLimitQuery {
  /** Which face the request came in on (`native`, `oauth2`, `browser`, a vendor face...). */
  face: string;
  /** The route pattern, e.g. `/api/v1/organizations/:organizationID/groups`. */
  route: string;
  /** The client address (the socket's, or the trusted proxy's forwarded one). */
  ip: string;
  principal?: Principal;
  /** The request's credential was refused. */
  failed?: boolean;
}

/** A budget's state after this request: what the faces put in their rate-limit headers. */
export interface RateLimitUsage {
  limit: number;
  remaining: number;
  /** When the window ends (epoch seconds). */
  resetAt: number;
}

export type RateLimitDecision = { allowed: true; usage?: RateLimitUsage } | { allowed: false; retryAfterSeconds: number; usage?: RateLimitUsage };

export interface RateLimiter {
  check(query: RateLimitQuery): Promise<RateLimitDecision>;
}

export const unlimited: RateLimiter = { check: async () => ({ allowed: true }) };

/** The budget a request counts against, if any. */
function budgetOf(query: RateLimitQuery, limits: { perHour: number; failuresPerHour: number }): { key: string; limit: number } | undefined {
  const p = query.principal;
  if (query.failed || !p) return query.failed ? { key: `authfailures:${query.ip}`, limit: limits.failuresPerHour } : undefined;
  switch (p.kind) {
    case 'api_token':
      return { key: `apitoken:${p.apiTokenId}`, limit: p.rateLimitPerHour ?? limits.perHour };
    case 'service_account':
      return { key: `serviceaccount:${p.serviceAccountId}`, limit: limits.perHour };
    case 'user':
      return { key: `user:${p.userId}`, limit: limits.perHour };
    case 'system':
      return { key: `system:${p.subject}`, limit: limits.perHour };
  }
}

/** Hourly budgets per credential over shared counters (Redis or the database). `clock` is for tests. */
export function credentialRateLimiter(counters: Counters, limits: { perHour: number; failuresPerHour: number }, clock: () => number = Date.now): RateLimiter {
  return {
    async check(query) {
      const budget = budgetOf(query, limits);
      if (!budget) return { allowed: true };
      const now = clock();
      const windowStart = new Date(now - (now % 3600_000));
      const count = await counters.hit(budget.key, windowStart);
      const resetAt = Math.ceil((windowStart.getTime() + 3600_000) / 1000);
      const usage = { limit: budget.limit, remaining: Math.max(0, budget.limit - count), resetAt };
      if (count <= budget.limit) return { allowed: true, usage };
      return { allowed: false, retryAfterSeconds: Math.max(1, resetAt - Math.floor(now / 1000)), usage };
    },
  };
}

/** The IETF httpapi draft's headers (draft-ietf-httpapi-ratelimit-headers): the policy, and what is left. */
export function ietfRateLimitHeaders(usage: RateLimitUsage): Record<string, string> {
  const reset = Math.max(0, usage.resetAt - Math.floor(Date.now() / 1000));
  return { 'ratelimit-policy': `"hourly";q=${usage.limit};w=3600`, ratelimit: `"hourly";r=${usage.remaining};t=${reset}` };
}
