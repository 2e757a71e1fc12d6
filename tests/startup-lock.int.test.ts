import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrationsList } from '../migrations/index.js';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, prepareDatabase } from '../src/database.js';
import { type Orm, openOrm } from '../src/db/orm.js';
import { STARTUP_LOCK_KEY } from '../src/db/startup-lock.js';

const name = `hxg_startup_${randomBytes(4).toString('hex')}`;
const admin = () => new pg.Client({ connectionString: inject('adminDatabaseUrl') });
const orms: Orm[] = [];

afterAll(async () => {
  await Promise.all(orms.map((orm) => orm.close()));
  const client = admin();
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
});

const count = async (orm: Orm, sql: string) =>
  Number((await orm.em.getConnection().execute<{ n: string }[]>(sql))[0]!.n);
const ADVISORY_LOCKS = `select count(*) as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;

describe('two instances preparing one fresh database at once', () => {
  it('both succeed (creating the missing database), in turns under one advisory lock: migrations applied once, demo data seeded once', async () => {
    // the database does not exist yet: both create it if missing, then take turns
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    orms.push(await openOrm(url.toString()), await openOrm(url.toString()));

    const config = loadConfig({ SEED: 'demo' });
    const logs: string[][] = [[], []];
    await Promise.all(orms.map((orm, i) => prepareDatabase(orm, config, (line) => logs[i]!.push(line))));

    const all = migrationsList.map((m) => m.name);
    const lines = logs.flat();
    // one instance did everything, the other waited and found nothing left to do
    expect(lines.filter((line) => line === `applied migrations: ${all.join(', ')}`)).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('seeded demo data'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('demo seed skipped'))).toHaveLength(1);
    expect(logs.map((l) => l.length).sort()).toEqual([1, 2]);

    const sql = orms[0]!.em.getConnection();
    const applied = await sql.execute<{ name: string }[]>('select name from mikro_orm_migrations order by id');
    expect(applied.map((row) => row.name)).toEqual(all);
    expect(await count(orms[0]!, `select count(*) as n from users where email = 'sam@example.com'`)).toBe(1);
    expect(
      await count(
        orms[0]!,
        `select count(*) as n from organizations where name = 'Berkeley Institute for Data Science (BIDS)'`,
      ),
    ).toBe(1);
    expect(await count(orms[0]!, ADVISORY_LOCKS)).toBe(0);
    expect(await migrateDatabase(orms[1]!)).toEqual([]);
  });

  it('makes `migrate` (the CLI command) wait while another session holds the start-up lock', async () => {
    const knex = orms[0]!.em.getConnection().getKnex();
    const holder = await knex.client.acquireConnection();
    await knex.raw('select pg_advisory_lock(?)', [STARTUP_LOCK_KEY]).connection(holder);
    let done = false;
    const waiting = migrateDatabase(orms[1]!).then(() => (done = true));
    // the waiter's session shows up as waiting for the advisory lock
    await expect.poll(() => count(orms[0]!, `${ADVISORY_LOCKS} and not granted`)).toBe(1);
    expect(done).toBe(false);
    await knex.raw('select pg_advisory_unlock(?)', [STARTUP_LOCK_KEY]).connection(holder);
    await knex.client.releaseConnection(holder);
    await waiting;
    expect(done).toBe(true);
  });

  it('stops, on its own database again, when the login may not create the missing one', async () => {
    const role = `hxg_nocreate_${randomBytes(4).toString('hex')}`;
    const client = admin();
    await client.connect();
    await client.query(`create role ${role} login password 'x' nocreatedb`);
    try {
      const url = new URL(inject('adminDatabaseUrl'));
      url.username = role;
      url.password = 'x';
      url.pathname = `/${name}_missing`;
      const orm = await openOrm(url.toString(), { connect: false });
      try {
        await expect(prepareDatabase(orm, loadConfig({ SEED: 'none' }), () => {})).rejects.toMatchObject({
          code: '42501',
        });
        expect(orm.config.get('dbName')).toBe(`${name}_missing`);
      } finally {
        await orm.close();
      }
    } finally {
      await client.query(`drop role ${role}`);
      await client.end();
    }
  });
});
