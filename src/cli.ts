#!/usr/bin/env node
/**
 * The `tessera` command. Importing this file does nothing; running it does (`tessera --help`).
 * Every command answers `--help`/`-h`; a bad command, flag or argument is named, with where to
 * read more, and exits 2; a bad setting exits 1 with the setting's name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, flagToEnv, loadConfig } from './config.ts';
import { AuditService } from './core/audit/service.ts';
import { KeyRing } from './core/keys/service.ts';
import { DatabaseUnavailable } from './db/errors.ts';
import { DatabaseUnreachable, DataDirInUse, openDatabase } from './db/index.ts';
import { migrate } from './db/migrate.ts';
import { type ServerHandle, startServer } from './server.ts';
import { deriveKeys, loadServerSecret } from './tokens/server-secret.ts';

type Flag = keyof typeof flagToEnv;
/** The commands that only open the database log nothing: they take where the database is. */
const storageFlags: Flag[] = ['data-dir', 'database-url'];

interface Command {
  summary: string;
  details?: string;
  flags: Flag[];
  run(config: Config): Promise<number>;
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'run the server (migrates the database first)',
    flags: Object.keys(flagToEnv) as Flag[],
    run: serve,
  },
  migrate: {
    summary: 'apply database migrations and exit',
    flags: storageFlags,
    run: migrateOnly,
  },
  'keys rotate': {
    summary: 'make new signing keys (the old ones stay in the JWKS until their tokens expire)',
    details: `When a running server holds the embedded database, the rotation is asked of it through
POST /api/v1/signingkeys/rotate, with a platform administrator's token from TESSERA_TOKEN,
else the bootstrap token file of the data directory. On PostgreSQL, running servers sign with
the new keys within a minute.`,
    flags: storageFlags,
    run: rotateKeys,
  },
};

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const flagLines = (flags: Flag[]) => flags.map((flag) => `  --${flag.padEnd(16)} [${flagToEnv[flag]}]`).join('\n');

const usage = `usage: tessera <command> [flags]

commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`)
  .join('\n')}
  version      print the version

  tessera <command> --help    flags of a command (each also read from the environment
                              variable in brackets; settings: README.md)
  tessera --version           the version
`;

const commandHelp = (name: string, command: Command) =>
  `usage: tessera ${name} [flags]\n\n${command.summary}\n${command.details ? `\n${command.details}\n` : ''}\nflags (each also read from the environment variable in brackets):\n${flagLines(command.flags)}\n  -h, --help\n`;

/** A mistake on the command line: said on stderr with where to look, exit status 2. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly see: string,
  ) {
    super(message);
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(usage);
    return 2;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    process.stdout.write(usage);
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`tessera ${version()}\n`);
    return 0;
  }
  if (first === 'help') return main([...rest, '--help']);
  let name = first;
  if (first === 'keys') {
    const sub = rest.shift();
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process[sub ? 'stdout' : 'stderr'].write(`usage: tessera keys <command> [flags]\n\ncommands:\n  rotate       ${commands['keys rotate']!.summary}\n`);
      return sub ? 0 : 2;
    }
    name = `keys ${sub}`;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`, name.startsWith('keys ') ? 'tessera keys --help' : 'tessera --help');
  let values: Partial<Record<Flag | 'help', string | boolean>>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(command.flags.map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean' as const, short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(describeParseError(error as Error), `tessera ${name} --help`);
  }
  if (values.help) {
    process.stdout.write(commandHelp(name, command));
    return 0;
  }
  const { help: _, ...flags } = values;
  return command.run(loadConfig(process.env, flags as Partial<Record<Flag, string>>));
}

/** node:util's parse errors, in the words of this command line. */
function describeParseError(error: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const positional = /Unexpected argument '([^']+)'/.exec(error.message);
  if (positional) return `unexpected argument "${positional[1]}" (this command takes flags only)`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message);
  if (missing) return `flag ${missing[1]} needs a value`;
  return error.message;
}

async function serve(config: Config): Promise<number> {
  const server = await startServer(config);
  onShutdownSignals(server, config);
  return -1; // keep running
}

/**
 * The first SIGTERM or SIGINT drains: requests in flight finish (for at most
 * TESSERA_SHUTDOWN_TIMEOUT) and new ones are refused. A second one during the drain is taken as
 * "stop now": the process says how many requests it cuts, then exits.
 */
function onShutdownSignals(server: ServerHandle, config: Config): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      server.app.log.warn({ signal, inFlight: server.inFlight() }, `second ${signal} during the shutdown: exiting now, cutting the requests in flight`);
      process.exit(1);
    }
    draining = true;
    server.app.log.info({ signal, inFlight: server.inFlight() }, 'shutting down: finishing the requests in flight (send the signal again to stop at once)');
    const deadline = setTimeout(() => {
      server.app.log.warn(
        { timeoutSeconds: config.shutdownTimeout, inFlight: server.inFlight() },
        'requests still in flight at the shutdown deadline; exiting',
      );
      process.exit(1);
    }, config.shutdownTimeout * 1000);
    deadline.unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function migrateOnly(config: Config): Promise<number> {
  const db = await openDatabase(config, 'tessera migrate');
  try {
    const applied = await migrate(db);
    process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await db.close();
  }
  return 0;
}

async function rotateKeys(config: Config): Promise<number> {
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase(config, 'tessera keys rotate');
  } catch (error) {
    if (error instanceof DataDirInUse && error.holder?.url) return rotateAt(error.holder.url, config);
    throw error;
  }
  try {
    await migrate(db);
    const keys = deriveKeys(loadServerSecret(config.secret, config.dataDir));
    // Audited like a rotation by age (the audit service needs no logger here: it records, never refuses).
    const audit = new AuditService(db, { warn: () => undefined });
    const ring = new KeyRing(db, keys.encryptionKey, { rotationAgeSeconds: config.signingKeyRotation, maxTokenLifetimeSeconds: config.accessTokenTtl }, audit);
    for (const [alg, kid] of Object.entries(await ring.rotate())) process.stdout.write(`new ${alg} signing key ${kid}\n`);
  } finally {
    await db.close();
  }
  return 0;
}

/** Asks the server that holds the embedded database to rotate, as a platform administrator. */
async function rotateAt(url: string, config: Config): Promise<number> {
  const tokenFile = join(config.dataDir, 'bootstrap-token');
  let token = process.env.TESSERA_TOKEN?.trim();
  if (!token) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch {
      throw new ConfigError(
        'TESSERA_TOKEN',
        `a running server (${url}) holds the embedded database, so the rotation is asked of it: set TESSERA_TOKEN to a platform administrator's token (${tokenFile} is not readable)`,
      );
    }
  }
  process.stderr.write(`tessera: the server at ${url} holds the embedded database; asking it to rotate\n`);
  const response = await fetch(`${url}/api/v1/signingkeys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch((error: Error) => {
    throw new ConfigError('TESSERA_DATA_DIR', `the server holding the embedded database does not answer at ${url} (${error.message}); retry once it serves`);
  });
  const body = (await response.json().catch(() => ({}))) as { keys?: { algorithm: string; kid: string }[]; error_description?: string };
  if (!response.ok || !body.keys) {
    process.stderr.write(`tessera: the server refused the rotation (${response.status}): ${body.error_description ?? 'no reason given'}\n`);
    return 1;
  }
  for (const key of body.keys) process.stdout.write(`new ${key.algorithm} signing key ${key.kid}\n`);
  return 0;
}

/** What went wrong, in words an operator can act on; never a driver's stack. */
function explain(error: unknown): { text: string; status: number } {
  if (error instanceof UsageError) return { text: `${error.message}; see \`${error.see}\``, status: 2 };
  if (error instanceof ConfigError) return { text: `configuration error: ${error.message}`, status: 1 };
  if (error instanceof DatabaseUnreachable) return { text: `configuration error: TESSERA_DATABASE_URL: ${error.message}`, status: 1 };
  if (error instanceof DatabaseUnavailable) {
    return {
      text: `the database stopped answering during the start (${error.reason}): check the server that TESSERA_DATABASE_URL names, then start again`,
      status: 1,
    };
  }
  if (error instanceof DataDirInUse) {
    return {
      text: `TESSERA_DATA_DIR: ${error.message}. One process at a time may open an embedded database: stop that process first (kill ${error.holder?.pid ?? '<pid>'}), give this one another --data-dir, or run several servers on PostgreSQL (TESSERA_DATABASE_URL)`,
      status: 1,
    };
  }
  return { text: (error as Error)?.stack ?? String(error), status: 1 };
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    const { text, status } = explain(error);
    process.stderr.write(`tessera: ${text}\n`);
    process.exit(status);
  },
);
