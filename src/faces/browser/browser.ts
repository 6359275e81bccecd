/**
 * The browser side of a login: cookies and CSRF tokens.
 * - `tessera_browser`: a random value identifying this browser. Login requests record its
 *   keyed hash, so a login can only continue (login form, upstream callback) in the browser
 *   that started it: a stolen or injected `state` is useless elsewhere.
 * - CSRF tokens of forms are HMAC(browser value, state), checked on every POST.
 * - `tessera_session`: the single-sign-on session (opaque, hashed at rest).
 * Cookies are HttpOnly, SameSite=Lax, Path=/, and Secure when the issuer is https.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../tokens/secrets.ts';

export const browserCookie = 'tessera_browser';
export const sessionCookie = 'tessera_session';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export function setCookie(reply: FastifyReply, secure: boolean, name: string, value: string, maxAgeSeconds: number): void {
  const cookie = `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  const existing = reply.getHeader('set-cookie');
  reply.header('set-cookie', existing ? [...(Array.isArray(existing) ? existing : [String(existing)]), cookie] : cookie);
}

/** The browser's identifying value, set (for a year) when the browser has none yet. */
export function ensureBrowserId(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = readCookie(request, browserCookie);
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const value = randomBytes(32).toString('base64url');
  setCookie(reply, secure, browserCookie, value, 365 * 86400);
  return value;
}

export function csrfToken(key: Buffer, browserId: string, state: string): string {
  return createHmac('sha256', key).update(`csrf:${browserId}:${state}`).digest('base64url');
}

export function csrfMatches(key: Buffer, browserId: string | undefined, state: string, presented: unknown): boolean {
  return !!browserId && typeof presented === 'string' && constantTimeEqual(csrfToken(key, browserId, state), presented);
}
