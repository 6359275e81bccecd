import type { ProjectInput, ProjectRecord } from '../../../core/projects/service.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, inOrganization, inProject, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams, Page } from '../schemas.ts';
import { scopedMetadata } from '../wire.ts';
import { ProjectList, ProjectParams, ProjectRead, ProjectWrite } from './schemas.ts';

const tags = ['projects'];
const base = '/api/v1/organizations/:organizationID/projects';
const endpoint = 'identity:projects';

const projectToWire = (row: ProjectRecord) => ({ metadata: scopedMetadata(row), spec: { groupIDs: row.group_ids } });
const fromWire = ({ metadata, spec }: ProjectWrite): ProjectInput => ({ metadata, groupIds: spec.groupIDs });

export const projectRoutes: RouteModule = (app, { core: { projects } }) => {
  app.get(base, {
    schema: { operationId: 'listProjects', tags, params: OrganizationParams, querystring: Page, response: { 200: ProjectList, ...errorResponses() } },
    config: requires('project', endpoint, 'read', inOrganization), // in some project at least; the service filters per project
    handler: async (req, reply) => sendListing(req, reply, await projects.list(req.caller, req.params.organizationID, parsePage(req.query)), projectToWire),
  });
  app.post(base, {
    schema: { operationId: 'createProject', tags, params: OrganizationParams, body: ProjectWrite, response: { 202: ProjectRead, ...errorResponses(404, 409) } },
    config: requires('organization', endpoint, 'create', inOrganization),
    handler: async (req, reply) => reply.status(202).send(projectToWire(await projects.create(req.caller, req.params.organizationID, fromWire(req.body)))),
  });
  app.get(`${base}/:projectID`, {
    schema: { operationId: 'getProject', tags, params: ProjectParams, response: { 200: ProjectRead, ...errorResponses(404) } },
    config: requires('project', endpoint, 'read', inProject),
    handler: async (req) => projectToWire(await projects.get(req.params.organizationID, req.params.projectID)),
  });
  app.put(`${base}/:projectID`, {
    schema: { operationId: 'updateProject', tags, params: ProjectParams, body: ProjectWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: requires('project', endpoint, 'update', inProject),
    handler: async (req, reply) => {
      await projects.update(req.caller, req.params.organizationID, req.params.projectID, fromWire(req.body));
      return reply.send();
    },
  });
  app.delete(`${base}/:projectID`, {
    schema: { operationId: 'deleteProject', tags, params: ProjectParams, response: { 202: Empty, ...errorResponses(404) } },
    config: requires('project', endpoint, 'delete', inProject),
    handler: async (req, reply) => {
      await projects.delete(req.caller, req.params.organizationID, req.params.projectID);
      return reply.status(202).send();
    },
  });
};
