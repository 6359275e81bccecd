#!/usr/bin/env node
/**
 * The `tessera` command. Importing this file does nothing; running it does:
 *   tessera serve [--port N] [--host H] [--data-dir D] [--database-url URL] [--issuer URL]
 *                 [--platform-admins a@x,b@y] [--log-level L]
 *   tessera migrate [--data-dir D] [--database-url URL]
 */
import { parseArgs } from 'node:util';
import { ConfigError, flagToEnv, loadConfig } from './config.ts';
import { AuditService } from './core/audit/service.ts';
import { KeyRing } from './core/keys/service.ts';
import { openDatabase } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import { startServer } from './server.ts';
import { deriveKeys, loadServerSecret } from './tokens/server-secret.ts';

const usage = `usage: tessera <command> [flags]

commands:
  serve     run the server (migrates the database first)
  migrate   apply database migrations and exit
  keys rotate
            retire the current signing key and make a new one (the old one stays in
            the JWKS until the tokens it signed have expired)

flags (each also read from the environment variable in brackets):
${Object.entries(flagToEnv)
  .map(([flag, env]) => `  --${flag.padEnd(16)} [${env}]`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const subcommand = command === 'keys' ? args.shift() : undefined;
  const rest = args;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(usage);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: Object.fromEntries(Object.keys(flagToEnv).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const config = loadConfig(process.env, values);
  switch (command) {
    case 'serve': {
      const server = await startServer(config);
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          server.app.log.info({ signal }, 'shutting down: finishing the requests in flight');
          const deadline = setTimeout(() => {
            server.app.log.warn({ timeoutSeconds: config.shutdownTimeout }, 'requests still in flight at the shutdown deadline; exiting');
            process.exit(1);
          }, config.shutdownTimeout * 1000);
          deadline.unref();
          server.close().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        });
      }
      return -1; // keep running
    }
    case 'migrate': {
      const db = await openDatabase(config);
      try {
        const applied = await migrate(db);
        process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'keys': {
      if (subcommand !== 'rotate') {
        process.stderr.write(`tessera: usage: tessera keys rotate\n`);
        return 2;
      }
      const db = await openDatabase(config);
      try {
        await migrate(db);
        const keys = deriveKeys(loadServerSecret(config.secret, config.dataDir));
        // Audited like a rotation by age (the audit service needs no logger here: it records, never refuses).
        const audit = new AuditService(db, { warn: () => undefined });
        const ring = new KeyRing(
          db,
          keys.encryptionKey,
          { rotationAgeSeconds: config.signingKeyRotation, maxTokenLifetimeSeconds: config.accessTokenTtl },
          audit,
        );
        for (const [alg, kid] of Object.entries(await ring.rotate())) process.stdout.write(`new ${alg} signing key ${kid}\n`);
      } finally {
        await db.close();
      }
      return 0;
    }
    default:
      process.stderr.write(`tessera: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tessera: configuration error: ${(error as Error).message}\n`);
    } else {
      process.stderr.write(`tessera: ${(error as Error).stack ?? error}\n`);
    }
    process.exit(1);
  },
);
