#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { registerClient } from './auth/client-registry.js';
import { loadConfig } from './config.js';
import { connectDatabase, type Database, prepareDatabase } from './database.js';
import { migrate } from './db/orm.js';
import { DomainError } from './errors.js';
import { seedDemo } from './seed/demo.js';
import { fillObservations, syntheticStudy } from './seed/synthetic.js';
import { parseSize } from './seed/size.js';
import { Presets, SingleBar } from 'cli-progress';
import { createSuperuser } from './services/users.js';

const log = (line: string) => console.error(`[hxg] ${line}`);

/** Runs `work` against the configured database (embedded unless DATABASE_URL), then closes it. */
async function withDatabase(work: (db: Database) => Promise<void>) {
  const db = await connectDatabase(loadConfig(), log);
  try {
    await work(db);
  } finally {
    await db.close();
  }
}

const program = new Command()
  .name('hxg')
  .description('Health Exchange Gateway administration. Uses DATABASE_URL, or the embedded PostgreSQL in .data/.');

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() =>
    withDatabase(async ({ orm }) => {
      const applied = await migrate(orm);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    }),
  );

program
  .command('seed')
  .description('migrate, then load the demo data into an empty database (does nothing otherwise)')
  .action(() =>
    withDatabase(async ({ orm }) => {
      await migrate(orm);
      const result = await seedDemo(orm, loadConfig().publicUrl);
      console.log(
        result.seeded ? `seeded demo data (${result.observations} observations)` : `skipped: ${result.reason}`,
      );
    }),
  );

program
  .command('generate')
  .description(
    'add synthetic device observations (glucose monitor, heart rate, blood pressure; deterministic, resumable) to the demo data, for benchmarks',
  )
  .option('--observations <n>', 'how many, e.g. 100k, 1M, 10M', '100k')
  .option('--seed <n>', 'random seed', '1')
  .action((opts: { observations: string; seed: string }) =>
    withDatabase(async ({ orm }) => {
      const total = parseSize(opts.observations);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a non-negative integer');
      await migrate(orm);
      await seedDemo(orm, loadConfig().publicUrl);
      const plan = await syntheticStudy(orm, total, seed);
      const bar = new SingleBar(
        { format: 'generating |{bar}| {value}/{total} observations {eta_formatted}' },
        Presets.shades_classic,
      );
      bar.start(total, 0);
      const done = await fillObservations(orm, plan, total, seed, (n) => bar.update(Math.min(n, total)));
      bar.stop();
      console.log(`study ${plan.studyId}: ${plan.patientIds.length} patients, ${done} observations`);
    }),
  );

program
  .command('create-migration')
  .description('(development) write the difference between the entities and the migrated database as a new migration')
  .action(() =>
    withDatabase(async ({ orm }) => {
      await migrate(orm);
      const created = await orm.getMigrator().createMigration('migrations');
      if (!created.diff.up.length) {
        console.log('the schema matches the entities: no migration needed');
        return;
      }
      console.log(`wrote migrations/${created.fileName}: review it, then list it in migrations/index.ts`);
    }),
  );

program
  .command('create-superuser')
  .description('create a super user (a practitioner who may do everything)')
  .requiredOption('--email <email>', 'login email')
  .option('--password <password>', 'password (default: the HXG_PASSWORD environment variable)')
  .option('--first-name <name>', 'first name', 'Admin')
  .option('--last-name <name>', 'last name', 'User')
  .action((opts: { email: string; password?: string; firstName: string; lastName: string }) =>
    withDatabase(async ({ orm }) => {
      const password = opts.password ?? process.env.HXG_PASSWORD;
      if (!password) throw new Error('give --password or set HXG_PASSWORD');
      await prepareDatabase(orm, { ...loadConfig(), seed: 'none' }, log);
      const user = await createSuperuser(orm.em.fork(), {
        email: opts.email,
        password,
        firstName: opts.firstName,
        lastName: opts.lastName,
      });
      console.log(`created super user ${user.email} (id ${user.id})`);
    }),
  );

program
  .command('create-client')
  .description('register a third-party (dashboard) OAuth client; it will ask users for consent')
  .requiredOption('--client-id <id>', 'client id, e.g. my-dashboard')
  .requiredOption('--name <name>', 'name shown on the consent screen')
  .requiredOption('--redirect-uri <uri...>', 'allowed redirect URI(s)')
  .option('--confidential', 'issue a client secret (server-side apps); default: public client with PKCE', false)
  .action((opts: { clientId: string; name: string; redirectUri: string[]; confidential: boolean }) =>
    withDatabase(async ({ orm }) => {
      await migrate(orm);
      const client = await registerClient(orm.em.fork(), {
        clientId: opts.clientId,
        name: opts.name,
        redirectUris: opts.redirectUri,
        confidential: opts.confidential,
      });
      console.log(`registered client ${client.clientId}`);
      if (client.clientSecret) console.log(`client secret (shown only now): ${client.clientSecret}`);
    }),
  );

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  process.exit(1);
});
