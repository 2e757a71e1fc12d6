import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { migrateJobQueue } from '../../src/jobs/queue.js';
import { seedDemo } from '../../src/seed/demo.js';

export const TEMPLATE_EMPTY = 'hxg_template_empty';
export const TEMPLATE_SEEDED = 'hxg_template_seeded';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * One real PostgreSQL for the whole run (embedded, or DATABASE_URL's server), with two template databases
 * (migrated; migrated and seeded) that each test file clones in milliseconds.
 */
export default async function setup(project: TestProject) {
  let adminUrl: string;
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hxg-test-pg-'));
    chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
    const db = await startEmbeddedPostgres({
      dir: path.join(dir, 'data'),
      port: await freePort(),
      database: 'postgres',
    });
    adminUrl = db.url;
    stop = async () => {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (const template of [TEMPLATE_EMPTY, TEMPLATE_SEEDED]) {
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.query(`create database ${template}`);
    const orm = await openOrm(withDatabase(adminUrl, template));
    await migrate(orm);
    // pg-boss's tables, which each gateway would otherwise create at its start
    await migrateJobQueue(withDatabase(adminUrl, template));
    // the seeded apps' redirect URIs name the default PUBLIC_URL: any registered one redeems their codes
    if (template === TEMPLATE_SEEDED) await seedDemo(orm, 'http://localhost:3000');
    await orm.close();
  }
  await admin.end();
  project.provide('adminDatabaseUrl', adminUrl);
  return stop;
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
