/** Minting a workload identity token for one job of a project (docs/workload-identity.md). */
import { Type } from '@sinclair/typebox';
import { optionalBody } from '../../../http/body-parsers.ts';
import { errorResponses, inProject, type RouteModule, requires } from '../routing.ts';
import { withOrganization } from '../schemas.ts';

const Text = (max: number) => Type.Optional(Type.String({ minLength: 1, maxLength: max }));
const JobContext = Type.Object(
  {
    actor: Text(255),
    pipelineId: Text(255),
    runId: Text(255),
    vcsOrigin: Text(512),
    vcsRef: Text(512),
    contextIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 32 })),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "One of the project's allowed audiences; all of them when left out." })),
  },
  { additionalProperties: false },
);
const Minted = Type.Object({
  token: Type.String({ description: 'The ID token (subject v1: org/…/project/…/user/…).' }),
  tokenV2: Type.String({ description: 'The same with the VCS origin and ref in the subject.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  audience: Type.Array(Type.String()),
});

export const workloadTokenRoutes: RouteModule = (app, { core: { workloadTokens } }) => {
  app.post('/api/v1/organizations/:organizationID/projects/:projectID/workloadtokens', {
    schema: {
      operationId: 'mintWorkloadToken',
      tags: ['workloadtokens'],
      params: withOrganization({ projectID: Type.String({ format: 'uuid' }) }),
      body: JobContext,
      response: { 201: Minted, ...errorResponses(404) },
    },
    config: requires('project', 'identity:workloadtokens', 'create', inProject),
    // The body is optional: `{}` or none mints a token for the calling credential with the defaults.
    preValidation: optionalBody,
    handler: async (req, reply) => {
      const minted = await workloadTokens.mint(req.caller, req.params.organizationID, req.params.projectID, req.body);
      return reply.status(201).send({ ...minted, expiresAt: minted.expiresAt.toISOString() });
    },
  });
};
