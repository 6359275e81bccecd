/**
 * `npm run bench`: the cost of the credential hot path, reported as ratios to a baseline
 * measured in the same run on the same machine (never as absolute thresholds).
 *   baseline     GET /healthz            (HTTP stack only)
 *   verify       GET /api/v1/acl         (bearer verification + global ACL)
 *   org read     GET .../groups          (verification + organization ACL + a store query)
 */
import { createOrganization, serviceAccountWithRole } from '../test/fixtures.ts';
import { startTestApp, testBackends, type Client } from '../test/helpers.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);

async function measure(name: string, client: Client, url: string): Promise<number> {
  for (let i = 0; i < 100; i++) await client.get(url); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const res = await client.get(url);
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
  }
  const perOp = Number(process.hrtime.bigint() - start) / iterations / 1000;
  return perOp;
}

for (const backend of testBackends()) {
  const ctx = await startTestApp(backend);
  const org = await createOrganization(ctx.admin);
  const sa = await serviceAccountWithRole(ctx, org, 'administrator');
  const baseline = await measure('baseline', ctx.anonymous, '/healthz');
  const rows = [
    ['baseline: GET /healthz', baseline],
    ['verify: GET /api/v1/acl (service-account token)', await measure('verify', sa.client, '/api/v1/acl')],
    ['org read: GET /organizations/{id}/groups', await measure('org read', sa.client, `/api/v1/organizations/${org}/groups`)],
  ] as const;
  console.log(`\n${backend.name} (${iterations} sequential requests each)`);
  for (const [name, micros] of rows) {
    console.log(`  ${name.padEnd(48)} ${micros.toFixed(0).padStart(7)} µs/op  ${(micros / baseline).toFixed(2)}x baseline`);
  }
  await ctx.close();
}
