import { Type } from '@sinclair/typebox';
import { InvalidRequest } from '../kernel/errors.ts';

/**
 * An `application/x-www-form-urlencoded` body: string fields (a repeated field becomes an
 * array, which the handlers refuse, RFC 6749 §3.1).
 */
export const FormBody = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

/** Route schema parts of a form-posting endpoint: the body, and the content type OpenAPI documents. */
export const formRequest = { body: FormBody, consumes: ['application/x-www-form-urlencoded'] };

export const isForm = (contentType: string | undefined): boolean => /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '');

export function singleValued(form: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(form ?? {})) {
    if (Array.isArray(value)) {
      if (key !== 'roles') throw new InvalidRequest(`parameter ${key} must not be repeated`);
      out[key] = value.join(' ');
    } else out[key] = value;
  }
  return out;
}
