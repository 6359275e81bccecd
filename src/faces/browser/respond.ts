/**
 * How every browser-facing endpoint answers: a page or a redirect, never cached, never
 * framed (clickjacking), leaking no referrer.
 */
import type { FastifyReply } from 'fastify';
import { setCookie } from './browser.ts';
import { errorPage } from './views/pages.ts';

type Cookies = { cookies?: { name: string; value: string; maxAge: number }[] };

export type FlowResult = ({ redirect: string } | { html: string; status: number }) & Cookies;

export const showError = (status: number, title: string, message: string): FlowResult => ({ status, html: errorPage(title, message) });

/** Cookies get `Secure` when the public URL is https. */
export const secureCookies = (issuer: string) => issuer.startsWith('https:');

export function respond(reply: FastifyReply, result: FlowResult, secure: boolean) {
  reply
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action *; frame-ancestors 'none'")
    .header('referrer-policy', 'no-referrer');
  for (const cookie of result.cookies ?? []) setCookie(reply, secure, cookie.name, cookie.value, cookie.maxAge);
  if ('redirect' in result) return reply.redirect(result.redirect, 302);
  return reply.status(result.status).type('text/html; charset=utf-8').send(result.html);
}
