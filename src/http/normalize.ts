/**
 * Whatever a route throws (a domain error, a schema validation failure, a body the parser
 * refused, a fault), one domain error comes out. Faces then write it in their envelope.
 */
import type { FastifyError, FastifySchemaValidationError } from 'fastify';
import { DomainError, InvalidRequest, ServerError, UnsupportedMediaType } from '../kernel/errors.ts';

export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError?.validation) return new InvalidRequest(describeValidation(fastifyError.validationContext ?? 'request', fastifyError.validation));
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

/** What a format means, in words. */
const formats: Record<string, string> = {
  uuid: 'must be a UUID',
  'date-time': 'must be a date and time such as 2027-01-31T12:00:00Z (RFC 3339)',
  uri: 'must be an absolute URL',
  email: 'must be an email address',
};

/**
 * One validation failure, said so a person can act on it. The validator reports every failure
 * (allErrors); an unknown field is named first, since it is most often a misspelling that also
 * makes the intended field "missing" (`metdata`). A pattern is said in the words of the schema's
 * description, never as the regular expression.
 */
export function describeValidation(where: string, failures: FastifySchemaValidationError[]): string {
  const first = failures.find((f) => f.keyword === 'additionalProperties') ?? failures[0];
  const path = first?.instancePath ? `${where}${first.instancePath.replace(/\//g, '.')}` : where;
  if (!first) return `${path} is invalid`;
  const params = first.params as Record<string, unknown>;
  switch (first.keyword) {
    case 'additionalProperties':
      return `${path} has unknown field "${params.additionalProperty}"`;
    case 'required':
      return `${path} is missing the field "${params.missingProperty}"`;
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => `"${v}"`).join(', ')}`;
    case 'pattern': {
      const words = (first as { parentSchema?: { description?: string } }).parentSchema?.description;
      return words ? `${path} is not valid: ${words}` : `${path} is not in the expected format`;
    }
    case 'format':
      return `${path} ${formats[params.format as string] ?? `must be in the format ${params.format}`}`;
    default:
      return `${path} ${first.message ?? 'is invalid'}`;
  }
}
