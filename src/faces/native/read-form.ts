/**
 * Read-modify-write: UIs and declarative tools GET a resource, change a field and PUT the whole
 * document back. The read form carries fields the server owns (`metadata.id`, `creationTime`,
 * `status`, …). They are dropped before the body is validated, so the write schemas keep
 * refusing fields nobody knows; an ID that names another resource than the path is refused.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidRequest } from '../../kernel/errors.ts';

const serverOwnedMetadata = ['creationTime', 'createdBy', 'modifiedTime', 'modifiedBy', 'deletionTime', 'provisioningStatus', 'healthStatus'];

/** Each ID the read form carries, and the path parameter it must agree with. */
const idsInPath = { organizationId: 'organizationID', projectId: 'projectID' } as const;

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The path parameter naming the resource a PUT replaces: the last one of its route. */
function resourceParam(request: FastifyRequest): string | undefined {
  if (request.method !== 'PUT') return undefined;
  return request.routeOptions.url?.match(/:(\w+)$/)?.[1];
}

function agree(field: string, value: unknown, expected: string | undefined) {
  if (expected !== undefined && value !== expected) {
    throw new InvalidRequest(`metadata.${field} does not match the resource in the request path`);
  }
}

/** Drops the server-owned fields of a read form in place; throws when an ID contradicts the path. */
export function dropServerOwnedFields(request: FastifyRequest): void {
  const body = request.body;
  if (!isObject(body)) return;
  delete body.status;
  const metadata = body.metadata;
  if (!isObject(metadata)) return;
  const params = (request.params ?? {}) as Record<string, string>;
  if ('id' in metadata) {
    const param = resourceParam(request);
    agree('id', metadata.id, param && params[param]);
    delete metadata.id;
  }
  for (const [field, param] of Object.entries(idsInPath)) {
    if (!(field in metadata)) continue;
    agree(field, metadata[field], params[param]);
    delete metadata[field];
  }
  for (const field of serverOwnedMetadata) delete metadata[field];
}

export function acceptReadForms(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.method === 'PUT' || request.method === 'POST') dropServerOwnedFields(request);
  });
}
