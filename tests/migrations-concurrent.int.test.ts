import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrationsList } from '../migrations/index.js';
import { MIGRATION_LOCK_KEY, migrate, type Orm, openOrm } from '../src/db/orm.js';

const name = `hxg_concurrent_${randomBytes(4).toString('hex')}`;
const admin = () => new pg.Client({ connectionString: inject('adminDatabaseUrl') });
const orms: Orm[] = [];

afterAll(async () => {
  await Promise.all(orms.map((orm) => orm.close()));
  const client = admin();
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
});

describe('migrations started by two instances at once', () => {
  it('apply once, in turns under an advisory lock, on a fresh database, and leave no lock behind', async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    orms.push(await openOrm(url.toString()), await openOrm(url.toString()));

    const [first, second] = await Promise.all(orms.map((orm) => migrate(orm)));
    const all = migrationsList.map((m) => m.name);
    // one instance applied everything, the other waited and found nothing left to do
    expect([first, second].sort((a, b) => b.length - a.length)).toEqual([all, []]);

    const sql = orms[0]!.em.getConnection();
    const applied = await sql.execute<{ name: string }[]>('select name from mikro_orm_migrations order by id');
    expect(applied.map((row) => row.name)).toEqual(all);
    const locks = await sql.execute<{ n: string }[]>(
      `select count(*) as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(Number(locks[0]!.n)).toBe(0);
    expect(await migrate(orms[1]!)).toEqual([]);
  });

  it('waits while another session holds the lock', async () => {
    const holder = await orms[0]!.em.getConnection().getKnex().client.acquireConnection();
    const knex = orms[0]!.em.getConnection().getKnex();
    await knex.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]).connection(holder);
    let done = false;
    const waiting = migrate(orms[1]!).then(() => (done = true));
    // the waiter's session shows up as waiting for the advisory lock
    await expect
      .poll(async () => {
        const rows = await orms[0]!.em
          .getConnection()
          .execute<{ n: string }[]>(
            `select count(*) as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
          );
        return Number(rows[0]!.n);
      })
      .toBe(1);
    expect(done).toBe(false);
    await knex.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).connection(holder);
    await knex.client.releaseConnection(holder);
    await waiting;
    expect(done).toBe(true);
  });
});
