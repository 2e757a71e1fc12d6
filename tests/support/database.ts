import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Options } from '@mikro-orm/postgresql';
import { type Orm, openOrm } from '../../src/db/orm.js';

export interface TestDatabase {
  url: string;
  orm: Orm;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh database of this test file's own, cloned from a migrated (and, unless `empty`, seeded) template; the ORM
 * reaches it at `route(url)` (a proxy's address, say).
 */
export async function createTestDatabase(
  kind: 'seeded' | 'empty' = 'seeded',
  ormOptions: Partial<Options> = {},
  route: (url: string) => string = (url) => url,
): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `hxg_test_${randomBytes(6).toString('hex')}`;
  const template = kind === 'seeded' ? 'hxg_template_seeded' : 'hxg_template_empty';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const orm = await openOrm(route(url), ormOptions);
  return {
    url,
    orm,
    async drop() {
      await orm.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
