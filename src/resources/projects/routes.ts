import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { ProjectList, ProjectParams, ProjectRead, ProjectWrite } from './schemas.ts';

const tags = ['projects'];
const base = '/api/v1/organizations/:organizationID/projects';
const access = (scope: 'organization' | 'project', op: 'create' | 'read' | 'update' | 'delete') => ({
  access: permission(scope, 'identity:projects', op),
});

export const projectRoutes: RouteModule = (app, { projects }) => {
  app.get(base, {
    schema: { operationId: 'listProjects', tags, params: OrganizationParams, querystring: Page, response: { 200: ProjectList, ...errorResponses() } },
    config: { access: 'authenticated' }, // filtered per project by the service
    handler: async (req, reply) => sendListing(req, reply, await projects.list(req.auth, req.params.organizationID, req.query)),
  });
  app.post(base, {
    schema: { operationId: 'createProject', tags, params: OrganizationParams, body: ProjectWrite, response: { 202: ProjectRead, ...errorResponses(404, 409) } },
    config: access('organization', 'create'),
    handler: async (req, reply) => reply.status(202).send(await projects.create(req.auth, req.params.organizationID, req.body)),
  });
  app.get(`${base}/:projectID`, {
    schema: { operationId: 'getProject', tags, params: ProjectParams, response: { 200: ProjectRead, ...errorResponses(404) } },
    config: access('project', 'read'),
    handler: async (req) => projects.get(req.params.organizationID, req.params.projectID),
  });
  app.put(`${base}/:projectID`, {
    schema: { operationId: 'updateProject', tags, params: ProjectParams, body: ProjectWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: access('project', 'update'),
    handler: async (req, reply) => {
      await projects.update(req.auth, req.params.organizationID, req.params.projectID, req.body);
      return reply.send();
    },
  });
  app.delete(`${base}/:projectID`, {
    schema: { operationId: 'deleteProject', tags, params: ProjectParams, response: { 202: Empty, ...errorResponses(404) } },
    config: access('project', 'delete'),
    handler: async (req, reply) => {
      await projects.delete(req.params.organizationID, req.params.projectID);
      return reply.status(202).send();
    },
  });
};
