/**
 * A local stand-in for GitHub's OAuth endpoints, laid out as GitHub Enterprise Server
 * serves them (`/login/oauth/authorize`, `/login/oauth/access_token`, `/api/v3/user`,
 * `/api/v3/user/emails`), so Tessera's GitHub mapping is tested against the real shapes.
 * GitHub is not an OpenID provider, so there is no library peer to run instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { freePort } from './client.ts';

export interface GitHubAccount {
  id: number;
  login: string;
  name: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export async function startGitHub(clientId: string, clientSecret: string) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let nextAccount: GitHubAccount | undefined;
  const codes = new Map<string, { account: GitHubAccount; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GitHubAccount>();
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk) => (data += chunk)).on('end', () => resolve(data));
    });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, issuer);
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== clientId || url.searchParams.get('code_challenge_method') !== 'S256' || !nextAccount) {
        return res.writeHead(400).end('bad request');
      }
      const code = randomBytes(10).toString('hex');
      codes.set(code, { account: nextAccount, challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const basic = req.headers.authorization?.replace(/^Basic /, '');
      const [id, secret] = basic
        ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
        : [form.get('client_id'), form.get('client_secret')];
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (id !== clientId || secret !== clientSecret) return json(401, { error: 'incorrect_client_credentials' });
      if (!grant || grant.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
        return json(400, { error: 'bad_verification_code' });
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, grant.account);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const account = tokens.get(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
    if (url.pathname === '/api/v3/user')
      return account ? json(200, { id: account.id, login: account.login, name: account.name, avatar_url: `${issuer}/avatars/${account.id}` }) : json(401, {});
    if (url.pathname === '/api/v3/user/emails')
      return account
        ? json(
            200,
            account.emails.map((e) => ({ ...e, visibility: null })),
          )
        : json(401, {});
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    signInAs(account: GitHubAccount) {
      nextAccount = account;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
