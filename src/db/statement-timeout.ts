import type { Options } from '@mikro-orm/postgresql';

/**
 * ORM options that bound every statement of the pool: PostgreSQL's `statement_timeout` on each connection
 * (sent by `pg` when it connects), and as long a wait for a free connection of the pool (which frees when
 * another statement ends; at least a second, as opening a connection takes a few milliseconds). Migrations,
 * seeding and the CLI use a pool without them (see `connectDatabase`), which also makes sure the database exists.
 */
export function statementTimeoutOptions(ms: number): Partial<Options> {
  return {
    ensureDatabase: false,
    driverOptions: { connection: { statement_timeout: ms }, acquireConnectionTimeout: Math.max(ms, 1000) },
  };
}

/** SQLSTATE of a statement cancelled by `statement_timeout` (or by a cancel request) */
const QUERY_CANCELED = '57014';
/** how knex's error for a pool without a free connection begins (MikroORM's wrapper keeps the message, not the name) */
const POOL_TIMEOUT = 'Knex: Timeout acquiring a connection';

/**
 * Whether the database did not answer in time: a statement cancelled by its timeout, or no free connection
 * within it. MikroORM copies the driver's `code` onto its own exceptions; GraphQL and others wrap errors.
 */
export function isDatabaseTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === QUERY_CANCELED || (typeof message === 'string' && message.startsWith(POOL_TIMEOUT))) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

export const DATABASE_TIMEOUT_MESSAGE =
  'The database did not answer in time (DB_STATEMENT_TIMEOUT_MS), and the request was cancelled: ask for less (a narrower filter, a smaller page) or try again later';
