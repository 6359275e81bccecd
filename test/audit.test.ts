/**
 * The audit trail (issue 8): every change is an event in the change's own transaction, with
 * who, from where and what; refusals and failed authentications are recorded (the latter
 * limited); administrators, auditors and platform administrators query it; nothing secret is
 * ever in it, nor in any log line.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { createOrganization, roleIds, userWithRole } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { clientRedirect, registerClient } from './support/world.ts';

let logged = '';
const issuedSecrets: string[] = [];

suite(
  'audit trail',
  (ctx) => {
    const events = (org: string, query = '') => ctx().admin.get(`/api/v1/organizations/${org}/auditlogs${query}`);

    it('records token and group changes with actor, origin and target, newest first', async () => {
      const org = await createOrganization(ctx().admin);
      const created = await ctx().admin.request(
        'POST',
        `/api/v1/organizations/${org}/apitokens`,
        { metadata: { name: uniqueName('t') }, spec: { privileges: [{ roleID: roleIds.auditor }] } },
        { 'user-agent': 'audit-test/1.0' },
      );
      issuedSecrets.push(created.body.status.token);
      const id = created.body.metadata.id;
      const rotated = await ctx().admin.post(`/api/v1/organizations/${org}/apitokens/${id}/rotate`);
      issuedSecrets.push(rotated.body.status.token);
      assert.equal((await ctx().admin.as(created.body.status.token).get(`/api/v1/organizations/${org}/groups`)).status, 401);
      const used = (await events(org, '?action=apitoken.rotated_secret_used')).body;
      assert.deepEqual([used.length, used[0]?.outcome, used[0]?.target.id], [1, 'denied', id], 'the rotated-out secret is refused and audited');
      await ctx().admin.delete(`/api/v1/organizations/${org}/apitokens/${id}`);
      const list = await events(org);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.map((e: any) => e.action).slice(0, 4), [
        'apitoken.deleted',
        'apitoken.rotated_secret_used',
        'apitoken.rotated',
        'apitoken.created',
      ]);
      const first = list.body.find((e: any) => e.action === 'apitoken.created');
      assert.deepEqual(first.actor, { kind: 'system', subject: 'tessera:bootstrap', address: '127.0.0.1', userAgent: 'audit-test/1.0' });
      assert.deepEqual([first.outcome, first.target.type, first.target.id, first.organizationId], ['success', 'apitoken', id, org]);
      assert.ok(first.requestId);
      const filtered = await events(org, `?action=apitoken.rotated&target=${id}`);
      assert.deepEqual(
        filtered.body.map((e: any) => e.action),
        ['apitoken.rotated'],
      );
    });

    it('writes events made outside a transaction by concurrent requests, each one whole, before they answer', async () => {
      const org = await createOrganization(ctx().admin);
      const refusals = Array.from({ length: 25 }, (_, i) =>
        ctx().built.core.audit.refusal({
          organizationId: org,
          action: 'test.refused',
          outcome: 'denied',
          actor: { kind: 'api_token', subject: `apitoken:${i}`, ip: `10.0.0.${i}` },
          target: { type: 'apitoken', id: `token-${i}`, name: `name ${i}` },
          requestId: `request-${i}`,
          changes: ['spec.sourceIPs', `field-${i}`],
          detail: `refusal ${i}`,
        }),
      );
      await Promise.all(refusals);
      const list = (await events(org, '?action=test.refused&limit=100')).body as any[];
      assert.equal(list.length, 25);
      for (let i = 0; i < 25; i++) {
        const event = list.find((e) => e.requestId === `request-${i}`);
        assert.deepEqual(
          [event?.actor.subject, event?.actor.address, event?.target.id, event?.target.name, event?.detail, event?.organizationId, event?.changes],
          [`apitoken:${i}`, `10.0.0.${i}`, `token-${i}`, `name ${i}`, `refusal ${i}`, org, ['spec.sourceIPs', `field-${i}`]],
        );
      }
    });

    it('names the fields an update changed, never their values', async () => {
      const org = await createOrganization(ctx().admin);
      const group = await ctx().admin.post(`/api/v1/organizations/${org}/groups`, {
        metadata: { name: uniqueName('g') },
        spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] },
      });
      const id = group.body.metadata.id;
      const read = (await ctx().admin.get(`/api/v1/organizations/${org}/groups/${id}`)).body;
      await ctx().admin.put(`/api/v1/organizations/${org}/groups/${id}`, {
        ...read,
        metadata: { ...read.metadata, description: 'new words' },
        spec: { ...read.spec, roleIDs: [roleIds.auditor] },
      });
      const updated = (await events(org, '?action=group.updated')).body[0];
      assert.deepEqual(updated.changes, ['metadata.description', 'spec.roleIDs']);
      const token = await ctx().admin.post(`/api/v1/organizations/${org}/apitokens`, { metadata: { name: uniqueName('t') }, spec: { privileges: [] } });
      issuedSecrets.push(token.body.status.token);
      const current = (await ctx().admin.get(`/api/v1/organizations/${org}/apitokens/${token.body.metadata.id}`)).body;
      await ctx().admin.put(`/api/v1/organizations/${org}/apitokens/${token.body.metadata.id}`, {
        ...current,
        spec: { ...current.spec, active: false, sourceIPs: ['10.0.0.1'] },
      });
      const switched = (await events(org, '?action=apitoken.deactivated')).body[0];
      assert.deepEqual(switched.changes, ['spec.sourceIPs', 'spec.active']);
      assert.ok(!JSON.stringify(switched).includes('10.0.0.1'), 'names, not values');
    });

    it('is written in the transaction of the change: a refused change leaves no event', async () => {
      const org = await createOrganization(ctx().admin);
      const before = (await events(org)).body.length;
      const refused = await ctx().admin.post(`/api/v1/organizations/${org}/groups`, {
        metadata: { name: uniqueName('g') },
        spec: { roleIDs: ['00000000-0000-4000-8000-000000000000'], userIDs: [], serviceAccountIDs: [] },
      });
      assert.equal(refused.status, 400);
      assert.equal((await events(org)).body.length, before);
    });

    it('records failed authentications, limited per address and minute, and token refusals', async () => {
      const org = await createOrganization(ctx().admin);
      const token = await ctx().admin.post(`/api/v1/organizations/${org}/apitokens`, {
        metadata: { name: uniqueName('t') },
        spec: { privileges: [{ roleID: roleIds.auditor }], sourceIPs: ['10.9.9.9'] },
      });
      issuedSecrets.push(token.body.status.token);
      assert.equal((await ctx().admin.as(token.body.status.token).get(`/api/v1/organizations/${org}/groups`)).status, 403);
      const refusal = (await events(org, '?action=apitoken.source_refused')).body;
      assert.deepEqual([refusal.length, refusal[0].outcome, refusal[0].target.id], [1, 'denied', token.body.metadata.id]);
      for (let i = 0; i < 12; i++)
        await ctx().anonymous.request('GET', '/api/v1/organizations', undefined, { authorization: `Bearer bad-token-${i}`, 'x-test': 'flood' });
      const failures = (await ctx().admin.get('/api/v1/auditlogs?action=authentication.failed&limit=1000')).body;
      assert.ok(failures.length >= 1 && failures.length <= 5, `limited: ${failures.length}`);
      assert.equal(failures[0].outcome, 'failure');
    });

    it('is read by administrators and auditors of the organization, and by platform administrators for all', async () => {
      const org = await createOrganization(ctx().admin);
      const other = await createOrganization(ctx().admin);
      const auditor = await userWithRole(ctx(), org, 'auditor');
      const reader = await userWithRole(ctx(), org, 'reader');
      assert.equal((await auditor.client.get(`/api/v1/organizations/${org}/auditlogs`)).status, 200);
      assert.equal((await reader.client.get(`/api/v1/organizations/${org}/auditlogs`)).status, 403);
      assert.equal((await auditor.client.get(`/api/v1/organizations/${other}/auditlogs`)).status, 403, 'not another organization’s');
      assert.equal((await auditor.client.get('/api/v1/auditlogs')).status, 403, 'nor the platform’s');
      const page = await ctx().admin.get('/api/v1/auditlogs?limit=2');
      assert.equal(page.body.length, 2);
      const next = /<([^>]+)>; rel="next"/.exec(String(page.headers.link))?.[1];
      assert.ok(next);
      const second = await ctx().admin.get(next);
      assert.equal(second.status, 200);
      assert.notEqual(second.body[0].id, page.body[1].id);
      assert.equal((await ctx().admin.get('/api/v1/auditlogs?cursor=bogus')).status, 400);
    });

    it('keeps why a request was refused in the log line only: the caller reads the public description', async () => {
      const app = await registerClient(ctx().admin);
      const attempt = async (id: string, secret: string) =>
        ctx().anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
          'x-request-id': `detail-${id.slice(0, 8)}-${secret.length}`,
        });
      const unknown = await attempt('00000000-0000-4000-8000-000000000000', 'whatever');
      const wrong = await attempt(app.id, 'not-the-secret');
      for (const res of [unknown, wrong]) assert.deepEqual(res.body, { error: 'invalid_client', error_description: 'client authentication failed' });
      const line = (id: unknown) => logged.split('\n').find((l) => l.includes(`"reqId":"${id}"`)) ?? '';
      assert.match(line(unknown.headers['x-request-id']), /"failure":\{"code":"client_authentication_failed","detail":"no client has this ID"\}/);
      assert.match(line(wrong.headers['x-request-id']), /"failure":\{"code":"client_authentication_failed","detail":"the secret does not match"\}/);
      assert.ok(!logged.includes('not-the-secret'), 'never the secret');
    });

    it('records new signing keys and grants revoked on a replayed refresh token, as platform events', async () => {
      const kids = await ctx().built.core.keyRing.rotate();
      const keys = (await ctx().admin.get('/api/v1/auditlogs?action=signingkey.created&limit=1000')).body.map((e: any) => e.target.id);
      assert.ok(keys.includes(kids.ES256) && keys.includes(kids.RS256));
      const org = await createOrganization(ctx().admin);
      const user = await userWithRole(ctx(), org, 'reader');
      const app = await registerClient(ctx().admin);
      const verifier = 'v'.repeat(43);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const code = await ctx().built.core.sessions.issueCode(
        { clientId: app.id, redirectUri: clientRedirect, scope: 'openid', codeChallenge: challenge, prompt: [] },
        user.userId,
        new Date(),
      );
      const token = (fields: Record<string, string>) =>
        ctx().anonymous.request('POST', '/oauth2/v2/token', new URLSearchParams(fields).toString(), {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`,
        });
      const first = await token({ grant_type: 'authorization_code', code, redirect_uri: clientRedirect, code_verifier: verifier });
      issuedSecrets.push(first.body.refresh_token, first.body.access_token);
      const second = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
      issuedSecrets.push(second.body.refresh_token);
      assert.equal((await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token })).status, 400);
      const replays = (await ctx().admin.get('/api/v1/auditlogs?action=session.revoked_on_replay')).body;
      assert.equal(replays[0].actor.subject, `client:${app.id}`);
    });

    it('holds no secret in any event or log line', async () => {
      const org = await createOrganization(ctx().admin);
      const sa = await ctx().admin.post(`/api/v1/organizations/${org}/serviceaccounts`, { metadata: { name: uniqueName('sa') }, spec: { groupIDs: [] } });
      issuedSecrets.push(sa.body.status.accessToken);
      const rows = await ctx().db.query('SELECT * FROM audit_events');
      const stored = JSON.stringify(rows.rows);
      assert.ok(rows.rows.length > 0);
      for (const secret of issuedSecrets) {
        assert.ok(!stored.includes(secret), 'a token in an audit event');
        assert.ok(!logged.includes(secret), 'a token in a log line');
        assert.ok(!stored.includes(secret.slice(8, 30)), 'part of a token in an audit event');
      }
    });
  },
  {},
  {
    app: {
      logger: {
        level: 'trace',
        stream: {
          write: (line: string) => {
            logged += line;
          },
        },
      },
    },
  },
);
