/**
 * Real browser: Debian's Chromium driven by playwright-core through the whole login, the
 * onboarding and the domain-routed login. Screenshots of every page go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createOrganization } from './fixtures.ts';
import { freePort, startTestApp, testBackends, uniqueName } from './helpers.ts';
import { needs } from './support/outside.ts';
import { startUpstream, type Upstream } from './support/upstream.ts';
import { memberOf, registerProvider } from './support/world.ts';

const artifacts = new URL('../test-artifacts/', import.meta.url).pathname;
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A small relying party web app: /login starts the flow, /cb finishes it and calls the API. */
async function startRelyingParty(tesseraUrl: string, admin: Awaited<ReturnType<typeof startTestApp>>['admin']) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const registered = await admin.post('/api/v1/oauth2clients', {
    metadata: { name: uniqueName('webapp'), description: 'Example Web App' },
    spec: { redirectURIs: [`${base}/cb`] },
  });
  const secret = registered.body.status.clientSecret;
  const rp = await client.discovery(new URL(tesseraUrl), registered.body.status.clientID, secret, client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests],
  });
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, base);
    if (url.pathname === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      pending.set(state, { verifier, nonce });
      const target = client.buildAuthorizationUrl(rp, {
        redirect_uri: `${base}/cb`,
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return res.writeHead(302, { location: target.href }).end();
    }
    if (url.pathname === '/cb') {
      try {
        const state = url.searchParams.get('state')!;
        const checks = pending.get(state)!;
        const tokens = await client.authorizationCodeGrant(rp, url, { pkceCodeVerifier: checks.verifier, expectedState: state, expectedNonce: checks.nonce });
        const orgs = await (await fetch(`${tesseraUrl}/api/v1/organizations`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
        const names = orgs.map((o: any) => o.metadata.name).join(', ');
        return res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>Signed in as ${tokens.claims()!.email}</h1><p id="orgs">${names}</p>`);
      } catch (error) {
        return res.writeHead(500, { 'content-type': 'text/html' }).end(`<h1>Failed</h1><pre>${(error as Error).message}</pre>`);
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Text elements whose contrast with their background is below 4.5:1 (WCAG relative
 * luminance). A string, so that the bundler's helpers do not leak into the page.
 */
const contrastScript = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const bg = rgb(getComputedStyle(el).backgroundColor);
      if (bg.length === 3 || (bg.length === 4 && bg[3] > 0)) return bg.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('h1, p, label, button, legend, a, .divider')]
    .filter((el) => el.textContent.trim())
    .map((el) => {
      const [l1, l2] = [luminance(rgb(getComputedStyle(el).color)), luminance(background(el))].sort((a, b) => b - a);
      return { text: el.textContent.trim().slice(0, 30), ratio: (l1 + 0.05) / (l2 + 0.05) };
    })
    .filter((r) => r.ratio < 4.5);
})()`;

/** Every visible form control has a label; the page has a language, a title and a heading. */
async function assertAccessible(page: Page) {
  const report = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    h1: document.querySelectorAll('h1').length,
    unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el as HTMLInputElement).labels?.length)
      .map((el) => el.outerHTML),
    scripts: document.querySelectorAll('script').length,
  }));
  assert.deepEqual(report, { lang: 'en', title: report.title, h1: 1, unlabelled: [], scripts: 0 });
  assert.match(report.title, / · Tessera$/);
  // WCAG 2.1 AA: text contrast of at least 4.5:1 against the background it sits on.
  const lowContrast = await page.evaluate(contrastScript);
  assert.deepEqual(lowContrast, []);
}

/** Waits for a heading; on failure says where the browser is and what it shows. */
async function expectHeading(page: Page, text: string) {
  await page.waitForSelector(`h1:has-text("${text}")`, { timeout: 15_000 }).catch(async () => {
    throw new Error(`expected "${text}" at ${page.url()}: ${(await page.textContent('body'))?.slice(0, 500)}`);
  });
}

const backend = testBackends().at(-1)!;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = needs(`Chromium (${chromiumPath})`, existsSync(chromiumPath), 'install Debian’s chromium (apt-get install chromium), or set CHROMIUM_PATH');

describe(`browser login [${backend.name}]`, { skip: noChromium }, () => {
  let tessera: Awaited<ReturnType<typeof startTestApp>>;
  let upstream: Upstream;
  let corp: Upstream;
  let app: Awaited<ReturnType<typeof startRelyingParty>>;
  let browser: Browser;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    tessera = await startTestApp(backend, { TESSERA_ONBOARDING: 'true' }, { listen: true });
    upstream = await startUpstream(`${tessera.url}/oidc/callback`);
    corp = await startUpstream(`${tessera.url}/oidc/callback`);
    await registerProvider(tessera.admin, upstream, {});
    app = await startRelyingParty(tessera.url, tessera.admin);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await corp?.close();
    await upstream?.close();
    await tessera?.close();
  });

  async function upstreamLogin(page: Page, login: string, shot: string) {
    await page.waitForSelector('input[name="login"]');
    await page.screenshot({ path: `${artifacts}${shot}` });
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'any password');
    await page.click('button[type="submit"]');
    await page
      .waitForURL((url) => !url.href.startsWith(upstream.issuer) && !url.href.startsWith(corp.issuer), { timeout: 10_000 })
      .catch(async () => {
        await page.screenshot({ path: `${artifacts}stuck-${shot}` });
        throw new Error(`stuck at ${page.url()}: ${(await page.textContent('body'))?.slice(0, 300)}`);
      });
  }

  it('signs a member in: app -> Tessera login page -> upstream -> callback -> app -> API', async () => {
    const login = uniqueName('ada');
    const email = `${login}@example.com`;
    upstream.users.set(login, { email, name: 'Ada Lovelace' });
    const { org } = await memberOf(tessera, email);
    const orgName = (await tessera.admin.get(`/api/v1/organizations/${org}`)).body.metadata.name;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.base}/login`);
    await expectHeading(page, 'Sign in');
    assert.match((await page.textContent('p.lead')) ?? '', /to continue to Example Web App/);
    await assertAccessible(page);
    await page.screenshot({ path: `${artifacts}login-page.png`, fullPage: true });
    // Keyboard: the first Tab stop is the first sign-in button.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Sign in with Test IdP');
    await page.click('button:has-text("Sign in with Test IdP")');
    await upstreamLogin(page, login, 'upstream-login.png');
    await expectHeading(page, 'Signed in as');
    assert.equal(await page.textContent('h1'), `Signed in as ${email}`);
    assert.equal(await page.textContent('#orgs'), orgName);
    await page.screenshot({ path: `${artifacts}signed-in.png` });
    const cookies = await context.cookies(tessera.url);
    for (const cookie of cookies) {
      assert.equal(cookie.httpOnly, true, cookie.name);
      assert.equal(cookie.sameSite, 'Lax', cookie.name);
    }
    await context.close();
  });

  it('onboards a newcomer through the onboarding page', async () => {
    const login = uniqueName('grace');
    upstream.users.set(login, { email: `${login}@newco.example` });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.base}/login`);
    await page.click('button:has-text("Sign in with Test IdP")');
    await upstreamLogin(page, login, 'upstream-login-newcomer.png');
    await expectHeading(page, 'Create your organization');
    await assertAccessible(page);
    await page.screenshot({ path: `${artifacts}onboarding-page.png`, fullPage: true });
    const orgName = uniqueName('newco');
    await page.getByLabel('Organization name').fill(orgName);
    await page.getByLabel('First group').fill('founders');
    await page.click('button:has-text("Create organization")');
    await expectHeading(page, 'Signed in as');
    assert.equal(await page.textContent('#orgs'), orgName);
    await context.close();
  });

  it("routes a work email to its organization's provider", async () => {
    const admin = tessera.admin;
    const org = await createOrganization(admin);
    const provider = await admin.post(`/api/v1/organizations/${org}/oauth2providers`, {
      metadata: { name: 'corp-sso' },
      spec: { issuer: corp.issuer, clientID: corp.clientId, clientSecret: corp.clientSecret },
    });
    const domain = `${uniqueName('acme')}.example`;
    const orgName = uniqueName('acme');
    await admin.put(`/api/v1/organizations/${org}`, {
      metadata: { name: orgName },
      spec: { organizationType: 'domain', domain, providerScope: 'organization', providerID: provider.body.metadata.id },
    });
    const login = uniqueName('emp');
    const email = `${login}@${domain}`;
    corp.users.set(login, { email });
    const member = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [] } });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(member.body.status.signupLink);
    await expectHeading(page, 'Your account is active');
    await page.screenshot({ path: `${artifacts}signup-activated.png` });
    await page.goto(`${app.base}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.click('button:has-text("Continue")');
    await upstreamLogin(page, login, 'upstream-login-corp.png');
    await expectHeading(page, 'Signed in as');
    assert.equal(await page.textContent('h1'), `Signed in as ${email}`);
    assert.equal(await page.textContent('#orgs'), orgName);
    // An error page is a proper page too.
    await page.goto(`${tessera.url}/oauth2/v2/authorization?client_id=nope`);
    await assertAccessible(page);
    await page.screenshot({ path: `${artifacts}error-page.png` });
    await context.close();
  });
});
