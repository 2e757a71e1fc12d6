import path from 'node:path';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrate, type Orm, openOrm } from './db/orm.js';
import { statementTimeoutOptions } from './db/statement-timeout.js';
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

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data directory. */
export async function connectDatabase(config: Config, log: (line: string) => void): Promise<Database> {
  if (config.databaseUrl) return withServingPool(config, config.databaseUrl, await openOrm(config.databaseUrl));
  const dir = path.join(config.dataDir, 'pg');
  log(`starting embedded PostgreSQL in ${dir} on port ${config.embeddedPostgresPort}`);
  const embedded = await startEmbeddedPostgres({ dir, port: config.embeddedPostgresPort, database: 'hxg' });
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

/** Applies pending migrations, then seeds the demo data into an empty database unless SEED=none. */
export async function prepareDatabase(orm: Orm, config: Config, log: (line: string) => void): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  if (config.seed === 'none') return;
  const result = await seedDemo(orm, config.publicUrl);
  log(result.seeded ? `seeded demo data (${result.observations} observations)` : `demo seed skipped: ${result.reason}`);
}
