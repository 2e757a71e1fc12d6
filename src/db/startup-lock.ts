import type { Orm } from './orm.js';

/** Key of the PostgreSQL advisory lock that start-up holds ("hxg start"); any bigint all instances share. */
export const STARTUP_LOCK_KEY = 0x6878_7374_6172;

/**
 * Runs `work` holding a session-level advisory lock on a connection of its own, so that gateways starting at
 * once on one database (or the CLI beside them) migrate and seed in turns: whoever comes second finds the work
 * done. The lock ends with the session, should the process die holding it.
 */
export async function withStartupLock<T>(orm: Orm, work: () => Promise<T>): Promise<T> {
  const knex = orm.em.getConnection().getKnex();
  const connection: unknown = await knex.client.acquireConnection();
  try {
    await knex.raw('select pg_advisory_lock(?)', [STARTUP_LOCK_KEY]).connection(connection);
    try {
      return await work();
    } finally {
      await knex.raw('select pg_advisory_unlock(?)', [STARTUP_LOCK_KEY]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
