/**
 * `npm run bench`: the cost of the hot paths, reported as ratios to a baseline measured in
 * the same run on the same machine (never as absolute thresholds).
 *   baseline           GET /healthz                  (HTTP stack only)
 *   opaque token       GET /api/v1/acl               (service-account token: HMAC + one lookup + ACL)
 *   access token       GET /api/v1/acl               (JWT signature + one lookup + ACL)
 *   API token          GET .../groups                (HMAC + one lookup + allow-list + token ACL + a store query)
 *   org read           GET .../groups                (verification + organization ACL + a store query)
 *   client_credentials POST /oauth2/v2/token         (client authentication + signature; no write)
 */
import { createOrganization, roleIds, serviceAccountWithRole } from '../test/fixtures.ts';
import { startTestApp, testBackends } from '../test/helpers.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);

async function measure(name: string, run: () => Promise<{ status: number; text: string }>): Promise<number> {
  for (let i = 0; i < 100; i++) await run(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const res = await run();
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
  }
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

for (const backend of testBackends()) {
  const ctx = await startTestApp(backend);
  const org = await createOrganization(ctx.admin);
  const sa = await serviceAccountWithRole(ctx, org, 'administrator');
  const registered = await ctx.admin.post('/api/v1/oauth2clients', {
    metadata: { name: 'bench-system' },
    spec: { redirectURIs: [], grantTypes: ['client_credentials'], roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1' },
  });
  const basic = `Basic ${Buffer.from(`${registered.body.status.clientID}:${registered.body.status.clientSecret}`).toString('base64')}`;
  const tokenRequest = () =>
    ctx.anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic,
    });
  const accessToken = (await tokenRequest()).body.access_token as string;
  const jwtClient = ctx.admin.as(accessToken);
  const apiToken = await ctx.admin.post(`/api/v1/organizations/${org}/apitokens`, {
    metadata: { name: 'bench-token' },
    spec: { privileges: [{ roleID: roleIds.auditor }], sourceIPs: ['127.0.0.0/8', '::1'] },
  });
  const tokenClient = ctx.admin.as(apiToken.body.status.token);

  const baseline = await measure('baseline', () => ctx.anonymous.get('/healthz'));
  const rows: [string, number][] = [
    ['baseline: GET /healthz', baseline],
    ['opaque token: GET /api/v1/acl', await measure('opaque', () => sa.client.get('/api/v1/acl'))],
    ['access token (JWT): GET /api/v1/acl', await measure('jwt', () => jwtClient.get('/api/v1/acl'))],
    ['org read: GET /organizations/{id}/groups', await measure('org read', () => sa.client.get(`/api/v1/organizations/${org}/groups`))],
    ['API token: GET /organizations/{id}/groups', await measure('api token', () => tokenClient.get(`/api/v1/organizations/${org}/groups`))],
    ['client_credentials: POST /oauth2/v2/token', await measure('token', tokenRequest)],
  ];
  console.log(`\n${backend.name} (${iterations} sequential requests each)`);
  for (const [name, micros] of rows) {
    console.log(`  ${name.padEnd(44)} ${micros.toFixed(0).padStart(7)} µs/op  ${(micros / baseline).toFixed(2)}x baseline`);
  }
  await ctx.close();
}
