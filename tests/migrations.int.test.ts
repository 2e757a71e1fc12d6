import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrate, type Orm, openOrm } from '../src/db/orm.js';

const name = `hxg_migrations_${randomBytes(4).toString('hex')}`;
const admin = () => new pg.Client({ connectionString: inject('adminDatabaseUrl') });
let orm: Orm | undefined;

afterAll(async () => {
  await orm?.close();
  const client = admin();
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
});

describe('migrations', () => {
  it('apply to an empty database, once, and match the entities exactly', async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    orm = await openOrm(url.toString());

    expect(await migrate(orm)).toEqual([
      'Migration20261122191113_initial',
      'Migration20261122200000_oidc',
      'Migration20261202130000_observation_order',
    ]);
    expect(await migrate(orm)).toEqual([]);
    // an entity change without a new migration would show up here
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
  });
});
