/**
 * Whatever a route throws (a domain error, a schema validation failure, a body the parser
 * refused, a fault), one domain error comes out. Faces then write it in their envelope.
 */
import type { FastifyError } from 'fastify';
import { DomainError, InvalidRequest, ServerError, UnsupportedMediaType } from '../kernel/errors.ts';

export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError?.validation) {
    const where = fastifyError.validationContext ?? 'request';
    const first = fastifyError.validation[0];
    const path = first?.instancePath ? `${where}${first.instancePath.replace(/\//g, '.')}` : where;
    const detail =
      first?.keyword === 'additionalProperties'
        ? `has unknown field "${(first.params as { additionalProperty: string }).additionalProperty}"`
        : first?.keyword === 'enum'
          ? `must be one of ${(first.params as { allowedValues: unknown[] }).allowedValues.map((v) => `"${v}"`).join(', ')}`
          : (first?.message ?? 'is invalid');
    return new InvalidRequest(`${path} ${detail}`);
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidRequest('the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaType('the content type is not supported');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequest('the request body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequest('the request body is not valid JSON');
    case 'FST_ERR_BAD_URL':
      return new InvalidRequest('the request URL is not validly percent-encoded');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new InvalidRequest('a path parameter of the request URL is too long');
  }
  if (fastifyError instanceof SyntaxError) return new InvalidRequest('the request body is not valid JSON');
  const status = fastifyError?.statusCode;
  if (status && status >= 400 && status < 500) return new InvalidRequest('the request is malformed');
  return new ServerError();
}
