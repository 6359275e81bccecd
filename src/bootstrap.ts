/**
 * The first platform-administrator credential of a new installation. Its token comes from
 * TESSERA_BOOTSTRAP_TOKEN, or is generated and written to `<data dir>/bootstrap-token`
 * (mode 0600). The log says where the token is, never what it is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { CredentialService } from './core/credentials/service.ts';
import type { Logger } from './kernel/log.ts';

export async function bootstrap(credentials: CredentialService, config: Config, log: Logger): Promise<void> {
  const issued = await credentials.issueBootstrap(config.bootstrapToken);
  if (!issued) return;
  if (config.bootstrapToken) {
    log.info({}, 'bootstrap credential created from TESSERA_BOOTSTRAP_TOKEN');
    return;
  }
  const file = join(config.dataDir, 'bootstrap-token');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${issued.token}\n`, { mode: 0o600 });
  log.info({ file }, 'bootstrap credential created; its bearer token is in this file');
}
