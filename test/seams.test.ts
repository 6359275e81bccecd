/**
 * The seams the audit trail and rate limits plug into: services record a domain event
 * inside the transaction of their change (so an event is kept exactly when the change is),
 * and every face asks the rate limiter once per request and answers a refusal in its own
 * envelope.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { RateLimiter, RateLimitQuery } from '../src/http/rate-limit.ts';
import type { DomainEvent, EventSink } from '../src/kernel/events.ts';
import { createOrganization } from './fixtures.ts';
import { suite, type TestContext, uniqueName } from './helpers.ts';

let current: () => TestContext;
/** A sink that writes events to a table through the core's Db, as an audit trail would. */
const tableSink: EventSink = {
  async record(event: DomainEvent) {
    if (event.type === 'group.deleted') throw new Error('the audit trail is unavailable');
    await current().db.query('INSERT INTO test_events (type, actor, organization_id, target_id) VALUES ($1, $2, $3, $4)', [
      event.type,
      event.actor,
      event.organizationId ?? null,
      event.target.id,
    ]);
  },
};

const queries: RateLimitQuery[] = [];
const limiter: RateLimiter = {
  async check(query) {
    queries.push(query);
    return query.route.endsWith('/quotas') || query.route === '/oauth2/v2/logout' ? { allowed: false, retryAfterSeconds: 7 } : { allowed: true };
  },
};

suite(
  'seams: domain events and rate-limit decisions',
  (ctx) => {
    before(async () => {
      current = ctx;
      await ctx().db.exec('CREATE TABLE test_events (type text, actor text, organization_id uuid, target_id text)');
    });

    it('records an event in the transaction of each change, and a failed event undoes the change', async () => {
      const org = await createOrganization(ctx().admin);
      const created = await ctx().admin.post(`/api/v1/organizations/${org}/groups`, {
        metadata: { name: uniqueName('g') },
        spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] },
      });
      assert.equal(created.status, 201);
      const group = created.body.metadata.id;
      const events = await ctx().db.query('SELECT type, actor, organization_id, target_id FROM test_events WHERE organization_id = $1 ORDER BY type', [org]);
      assert.deepEqual(events.rows, [
        { type: 'group.created', actor: 'tessera:bootstrap', organization_id: org, target_id: group },
        { type: 'organization.created', actor: 'tessera:bootstrap', organization_id: org, target_id: org },
      ]);
      const refused = await ctx().admin.delete(`/api/v1/organizations/${org}/groups/${group}`);
      assert.deepEqual([refused.status, refused.body.error], [500, 'server_error']);
      assert.equal((await ctx().admin.get(`/api/v1/organizations/${org}/groups/${group}`)).status, 200, 'the delete was rolled back');
    });

    it('asks the rate limiter on every face, with the caller when known, and answers a refusal in the face envelope', async () => {
      const org = await createOrganization(ctx().admin);
      const limited = await ctx().admin.get(`/api/v1/organizations/${org}/quotas`);
      assert.deepEqual(
        [limited.status, limited.headers['retry-after'], limited.body],
        [429, '7', { error: 'rate_limited', error_description: 'too many requests; retry later' }],
      );
      const query = queries.find((q) => q.route === '/api/v1/organizations/:organizationID/quotas');
      assert.deepEqual([query?.face, query?.principal?.subject], ['native', 'tessera:bootstrap']);
      const page = await ctx().anonymous.get('/oauth2/v2/logout');
      assert.deepEqual([page.status, page.headers['retry-after'], String(page.headers['content-type']).split(';')[0]], [429, '7', 'text/html']);
      assert.ok(queries.some((q) => q.face === 'browser' && q.principal === undefined));
      assert.equal((await ctx().anonymous.get('/.well-known/openid-configuration')).status, 200);
      assert.ok(queries.some((q) => q.face === 'oauth2' && q.route === '/.well-known/openid-configuration'));
    });
  },
  {},
  { app: { events: tableSink, limiter } },
);
