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
    // written and read by SQL alone (src/audit/, src/services/bulk-export/): rows that are no entities to flush
    schemaGenerator: { skipTables: ['audit_events', 'bulk_exports', 'bulk_export_files', 'bulk_export_chunks'] },
    ...extra,
  };
}

export function openOrm(clientUrl: string, extra: Partial<Options> = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(clientUrl, extra));
}

/** Applies pending migrations; returns the names applied. Unlocked: the gateway and the CLI use `migrateDatabase`. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
