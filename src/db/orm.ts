import 'reflect-metadata';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrationsList } from '../../migrations/index.js';
import { entities } from './entities/index.js';

export type Orm = MikroORM;

export function ormOptions(clientUrl: string, extra: Partial<Options> = {}): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities,
    extensions: [Migrator],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: 10 },
    ...extra,
  };
}

export function openOrm(clientUrl: string, extra: Partial<Options> = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(clientUrl, extra));
}

/** Key of the PostgreSQL advisory lock that migrations hold ("hxg migrate"); any bigint shared by all instances. */
export const MIGRATION_LOCK_KEY = 0x6878_6d69_6772;

/**
 * Applies pending migrations; returns the names applied. Several gateways starting at once (or the CLI beside
 * them) take turns: each waits for a session-level advisory lock on one connection of its own, and whoever comes
 * second finds the migrations applied. The lock ends with the session, should the process die holding it.
 */
export async function migrate(orm: Orm): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const connection: unknown = await knex.client.acquireConnection();
  try {
    await knex.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    try {
      const applied = await orm.getMigrator().up();
      return applied.map((m) => m.name);
    } finally {
      await knex.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
