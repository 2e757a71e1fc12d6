import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteExpiredOidcPayloads } from './auth/adapter.js';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrate, type Orm, openOrm } from './db/orm.js';
import { withStartupLock } from './db/startup-lock.js';
import { statementTimeoutOptions } from './db/statement-timeout.js';
import { unreachableReason } from './db/unreachable.js';
import { seedDemo } from './seed/demo.js';

export interface Database {
  /** for migrations, seeding and the CLI: its statements take as long as they need */
  orm: Orm;
  /**
   * The pool that serves HTTP requests, opened on the first call: at most DB_POOL_SIZE connections; every
   * statement is cancelled after DB_STATEMENT_TIMEOUT_MS, and a request waits no longer for a free connection.
   */
  servingOrm(): Promise<Orm>;
  /** closes the pools and, when embedded, stops the server */
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data directory. `lazy`: DATABASE_URL's
 * pools connect on first use (the server starts while the database is away; prepareDatabase checks it).
 */
export async function connectDatabase(
  config: Config,
  log: (line: string) => void,
  { lazy = false } = {},
): Promise<Database> {
  if (config.databaseUrl) {
    const orm = await openOrm(config.databaseUrl, lazy ? { connect: false } : {});
    return withServingPool(config, config.databaseUrl, orm);
  }
  const dir = path.join(config.dataDir, 'pg');
  log(`starting embedded PostgreSQL in ${dir} on port ${config.embeddedPostgresPort}`);
  const embedded = await startEmbeddedPostgres({
    dir,
    port: config.embeddedPostgresPort,
    database: 'hxg',
    sharedDir: config.embeddedPostgresSharedDir,
    info: log,
  });
  const orm = await openOrm(embedded.url).catch(async (error) => {
    await embedded.stop();
    throw error;
  });
  return withServingPool(config, embedded.url, orm, () => embedded.stop());
}

function withServingPool(config: Config, url: string, orm: Orm, stopServer = async () => {}): Database {
  let serving: Promise<Orm> | undefined;
  return {
    orm,
    servingOrm: () =>
      (serving ??= openOrm(url, {
        ...statementTimeoutOptions(config.timeouts.statementMs),
        pool: { min: 0, max: config.dbPoolSize },
        connect: false,
      })),
    async close() {
      await Promise.all([
        orm.close(),
        serving?.then(
          (o) => o.close(),
          () => {},
        ),
      ]);
      await stopServer();
    },
  };
}

/**
 * Creates the configured database if it is missing (and the login may). Another instance may create it between
 * the check and the create (duplicate_database, or the catalog's unique index when both run at once): it is
 * there then. MikroORM switched the connection to the management database for the create and, on that error,
 * left it there: it goes back before anything else runs.
 */
async function ensureDatabase(orm: Orm): Promise<void> {
  const dbName = orm.config.get('dbName');
  try {
    await orm.getSchemaGenerator().ensureDatabase();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (orm.config.get('dbName') !== dbName) {
      orm.config.set('dbName', dbName);
      await orm.reconnect();
    }
    if (code !== '42P04' && code !== '23505') throw error;
  }
}

/** Applies pending migrations under the start-up lock (`npm run cli -- migrate`); returns the names applied. */
export const migrateDatabase = (orm: Orm): Promise<string[]> => withStartupLock(orm, () => migrate(orm));

/**
 * Creates the database if it is missing (and the login may), then, under the start-up lock that other
 * instances starting at once wait for: applies pending migrations, drops expired OAuth records, and seeds the
 * demo data into an empty database unless SEED=none. The second instance finds it all done.
 */
export async function prepareDatabase(orm: Orm, config: Config, log: (line: string) => void): Promise<void> {
  await ensureDatabase(orm);
  await withStartupLock(orm, async () => {
    const applied = await migrate(orm);
    if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
    await deleteExpiredOidcPayloads(orm.em.fork());
    if (config.seed === 'none') return;
    const result = await seedDemo(orm, config.publicUrl);
    log(
      result.seeded ? `seeded demo data (${result.observations} observations)` : `demo seed skipped: ${result.reason}`,
    );
  });
}

const RETRY_MAX_SECONDS = 30;

/**
 * prepareDatabase, again and again while the database cannot be reached (1 s, 2 s, … up to 30 s apart), so that
 * a gateway started before its database, or during its restart, becomes ready once it is back. `onWaiting` hears
 * each failed attempt's reason; any other error (a wrong password, a failing migration) ends it at once, and so
 * does `signal` (shutdown).
 */
export async function prepareDatabaseWhenReachable(
  orm: Orm,
  config: Config,
  log: (line: string) => void,
  { onWaiting, signal }: { onWaiting: (reason: string) => void; signal: AbortSignal },
): Promise<void> {
  for (let delay = 1; ; delay = Math.min(delay * 2, RETRY_MAX_SECONDS)) {
    try {
      await prepareDatabase(orm, config, log);
      return;
    } catch (error) {
      const reason = unreachableReason(error);
      if (!reason || signal.aborted) throw error;
      log(`database unreachable (${reason}); trying again in ${delay} s`);
      onWaiting(`unreachable: ${reason}`);
      await sleep(delay * 1000, undefined, { signal });
    }
  }
}
