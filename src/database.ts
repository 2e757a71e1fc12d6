import path from 'node:path';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrate, type Orm, openOrm } from './db/orm.js';
import { seedDemo } from './seed/demo.js';

export interface Database {
  orm: Orm;
  /** closes the pool and, when embedded, stops the server */
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data directory. */
export async function connectDatabase(config: Config, log: (line: string) => void): Promise<Database> {
  if (config.databaseUrl) {
    const orm = await openOrm(config.databaseUrl);
    return { orm, close: () => orm.close() };
  }
  const dir = path.join(config.dataDir, 'pg');
  log(`starting embedded PostgreSQL in ${dir} on port ${config.embeddedPostgresPort}`);
  const embedded = await startEmbeddedPostgres({ dir, port: config.embeddedPostgresPort, database: 'hxg' });
  const orm = await openOrm(embedded.url).catch(async (error) => {
    await embedded.stop();
    throw error;
  });
  return {
    orm,
    async close() {
      await orm.close();
      await embedded.stop();
    },
  };
}

/** Applies pending migrations, then seeds the demo data into an empty database unless SEED=none. */
export async function prepareDatabase(orm: Orm, config: Config, log: (line: string) => void): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  if (config.seed === 'none') return;
  const result = await seedDemo(orm);
  log(result.seeded ? `seeded demo data (${result.observations} observations)` : `demo seed skipped: ${result.reason}`);
}
