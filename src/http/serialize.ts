/**
 * The one place errors become HTTP responses. Whatever is thrown, the client sees the
 * Identity API envelope `{error, error_description}`; anything that is not a known client
 * error is logged and answered with a 500 `server_error` that says nothing internal.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { mapDbError } from '../db/errors.ts';
import { ApiError, InvalidRequest, NotFound, ServerError, UnsupportedMediaType } from './errors.ts';

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
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
      return new UnsupportedMediaType('the content type is not supported; send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequest('the request body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequest('the request body is not valid JSON');
  }
  if (fastifyError instanceof SyntaxError) return new InvalidRequest('the request body is not valid JSON');
  const mapped = mapDbError(error);
  if (mapped) return mapped;
  const status = fastifyError?.statusCode;
  if (status && status >= 400 && status < 500) return new InvalidRequest('the request is malformed');
  return new ServerError();
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(apiError.status).headers(apiError.headers).send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new NotFound(`no route for ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(error.status).send(error.toBody());
  });
}
