/**
 * Tessera under test, in two phases. First, in this process, the app is built on the bench
 * database to create what the scenarios use (through the API, as a client would, and the
 * large organization through SQL); then the installed command serves that database in a
 * process of its own, as production runs it.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { deriveKeys } from '../src/tokens/server-secret.ts';
import { createOrganization, createProject, roleIds, serviceAccountWithRole, userWithRole } from '../test/fixtures.ts';
import { Client, type TestContext } from '../test/support/client.ts';
import { startFlags } from '../test/support/serve.ts';
import { clientRedirect, registerClient } from '../test/support/world.ts';
import { seedLargeOrganization } from './large-org.ts';

export const benchSecret = 'bench-secret-0123456789abcdef0123456789abcdef';

/** What the scenarios present: credentials, IDs and pools of single-use tokens. */
export interface Fixture {
  organizationId: string;
  projectId: string;
  largeOrganizationId: string;
  serviceAccountToken: string;
  largeOrganizationToken: string;
  apiToken: string;
  systemClient: { id: string; secret: string };
  webClient: { id: string; secret: string };
  accessToken: string;
  refreshTokens: string[];
  /** The uncached ACL computation of a member of the large organization, in ms. */
  largeAclMs: { p50: number; p99: number };
}

/** HTTP Basic credentials of a client (RFC 6749 §2.3.1), and a form body's content type. */
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
export const form = { 'content-type': 'application/x-www-form-urlencoded' };

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function prepare(env: Record<string, string>, refreshTokens: number): Promise<Fixture> {
  const config = loadConfig({ ...env, TESSERA_DEPROVISION_INTERVAL: '0' });
  const db = await openDatabase(config, 'the bench set-up');
  await migrate(db);
  const built = await buildApp({ config, db, keys: deriveKeys(benchSecret), logger: false });
  try {
    const issued = await built.core.credentials.issueBootstrap();
    const admin = new Client(built, issued?.token);
    const ctx = { backend: db.driver, built, db, config, admin, anonymous: new Client(built) } as TestContext;
    const organizationId = await createOrganization(admin);
    const projectId = await createProject(admin, organizationId);
    const serviceAccount = await serviceAccountWithRole(ctx, organizationId, 'administrator');

    const system = await admin.post('/api/v1/oauth2clients', {
      metadata: { name: 'bench-system' },
      spec: { redirectURIs: [], grantTypes: ['client_credentials'], roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1' },
    });
    const systemClient = { id: system.body.status.clientID as string, secret: system.body.status.clientSecret as string };
    const token = await ctx.anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
      ...form,
      authorization: basic(systemClient.id, systemClient.secret),
    });
    const apiToken = await admin.post(`/api/v1/organizations/${organizationId}/apitokens`, {
      metadata: { name: 'bench-token' },
      spec: { privileges: [{ roleID: roleIds.auditor }], sourceIPs: ['127.0.0.0/8', '::1'] },
    });

    // Refresh tokens: one login (a session at a web client) per member, each redeemed as the
    // client would. (One member would do, but a new login at a client ends the last one.)
    const web = await registerClient(admin);
    const webClient = { id: web.id, secret: web.secret ?? '' };
    const verifier = 'v'.repeat(43);
    const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
    const refresh: string[] = [];
    for (let i = 0; i < refreshTokens; i++) {
      const member = await userWithRole(ctx, organizationId, null);
      const code = await built.core.sessions.issueCode(
        { clientId: web.id, redirectUri: clientRedirect, scope: 'openid offline_access', codeChallenge, prompt: [] },
        member.userId,
        new Date(),
      );
      const redeemed = await ctx.anonymous.request(
        'POST',
        '/oauth2/v2/token',
        new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: clientRedirect, code_verifier: verifier }).toString(),
        { ...form, authorization: basic(web.id, webClient.secret) },
      );
      if (!redeemed.body.refresh_token) throw new Error(`no refresh token: ${redeemed.text}`);
      refresh.push(redeemed.body.refresh_token);
    }

    const largeOrganizationId = await createOrganization(admin);
    const largeMember = await serviceAccountWithRole(ctx, largeOrganizationId, null);
    const measured = await seedLargeOrganization(db, largeOrganizationId, largeMember.id);
    const principal = { kind: 'user' as const, subject: measured.email, userId: measured.userId };
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint();
      const acl = await built.core.roles.computeAcl(principal, largeOrganizationId);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (acl.projects.size !== 1000) throw new Error(`the large organization's ACL has ${acl.projects.size} projects`);
    }
    const sorted = samples.slice(50).sort((a, b) => a - b);
    return {
      organizationId,
      projectId,
      largeOrganizationId,
      serviceAccountToken: serviceAccount.token,
      largeOrganizationToken: largeMember.token,
      apiToken: apiToken.body.status.token,
      systemClient,
      webClient,
      accessToken: token.body.access_token,
      refreshTokens: refresh,
      largeAclMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) },
    };
  } finally {
    await built.app.close();
    await db.close();
  }
}

export interface Served {
  url: string;
  pid: number;
  startupMs: number;
  stop(): Promise<void>;
}

/**
 * Runs `tessera serve` on the prepared database as `npm start` does (compiled JavaScript, with
 * the Node.js flags of the `start` script); resolves when it listens. `nodeArgs` (such as
 * `--cpu-prof`) go to Node.js too.
 */
export function serve(env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<Served> {
  const started = performance.now();
  const child = spawn(process.execPath, [...startFlags(), ...nodeArgs, 'bin/tessera.js', 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, ...env, TESSERA_LOG_LEVEL: env.TESSERA_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`tessera exited with ${code}: ${output}`)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('Server listening')) return;
      const startupMs = performance.now() - started;
      output = '';
      child.stdout.off('data', onData);
      child.stdout.resume(); // request logs are read and dropped, as a log shipper would
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid ?? 0,
        startupMs,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
  });
}
