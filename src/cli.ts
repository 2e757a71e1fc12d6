import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { registerClient, registerIntrospectionClient } from './auth/client-registry.js';
import { loadConfig } from './config.js';
import { connectDatabase, type Database, migrateDatabase, prepareDatabase } from './database.js';
import { migrate } from './db/orm.js';
import { withStartupLock } from './db/startup-lock.js';
import { DomainError, InvalidError } from './errors.js';
import { ALL_SCOPES, type Viewer } from './policy/viewer.js';
import { seedDemo } from './seed/demo.js';
import { fillObservations, syntheticStudy } from './seed/synthetic.js';
import { parseSize } from './seed/size.js';
import { Presets, SingleBar } from 'cli-progress';
import { addStudyClient, createClient } from './services/clients.js';
import type { ServiceContext } from './services/context.js';
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

/**
 * Whoever runs the CLI administers the gateway (they hold its database): its service calls act as a super user
 * with a token's full rights, as no login. The services' own checks (input, duplicates, unknown ids) still apply.
 */
const CLI_VIEWER: Viewer = Object.freeze({
  userId: null,
  kind: null,
  isSuperuser: true,
  practitionerId: null,
  patientId: null,
  roles: new Map(),
  scopes: ALL_SCOPES,
  tokenClient: null,
});

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A repeatable option's integer ids. */
const collectIds = (value: string, previous: number[]) => {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw new InvalidArgumentError('must be a positive integer id');
  return [...previous, Number(value)];
};

/** The create-client input fields as the command's flags, for its error messages. */
const CLIENT_FLAGS: Record<string, string> = {
  name: '--name',
  oauthClientId: '--client-id',
  redirectUris: '--redirect-uri',
  invitationUrl: '--invitation-url',
  dataSourceIds: '--data-source',
};

/** An invalid input's message naming the flag the field came from (`--invitation-url: must contain CODE …`). */
function withFlag(error: unknown): unknown {
  if (!(error instanceof InvalidError) || !error.path) return error;
  const [field, index] = error.path.split('.');
  const flag = field === undefined ? undefined : CLIENT_FLAGS[field];
  if (!flag || !error.message.startsWith(`${error.path}:`)) return error;
  // `redirectUris.1`: the second --redirect-uri, `--redirect-uri #2`
  const which = index !== undefined && /^\d+$/.test(index) ? ` #${Number(index) + 1}` : '';
  return new InvalidError(`${flag}${which}${error.message.slice(error.path.length)}`, error.path);
}

/** The administration commands; the entry point (cli.ts beside main.ts) adds the faces' own and runs it. */
export const program = new Command()
  .name('hxg')
  .description('Health Exchange Gateway administration. Uses DATABASE_URL, or the embedded PostgreSQL in .data/.');

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() =>
    withDatabase(async ({ orm }) => {
      const applied = await migrateDatabase(orm);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    }),
  );

program
  .command('seed')
  .description('migrate, then load the demo data into an empty database (does nothing otherwise)')
  .action(() =>
    withDatabase(async ({ orm }) => {
      const result = await withStartupLock(orm, async () => {
        await migrate(orm);
        return seedDemo(orm, loadConfig().publicUrl);
      });
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
      await withStartupLock(orm, async () => {
        await migrate(orm);
        await seedDemo(orm, loadConfig().publicUrl);
      });
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
      await migrateDatabase(orm);
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
  .command('register-client')
  .description(
    'register a third-party (dashboard) OAuth client, which asks users for consent, or a resource server that introspects tokens',
  )
  .requiredOption('--client-id <id>', 'client id, e.g. my-dashboard')
  .requiredOption('--name <name>', 'name shown on the consent screen')
  .option('--redirect-uri <uri...>', 'allowed redirect URI(s); required unless --introspection')
  .option('--confidential', 'issue a client secret (server-side apps); default: public client with PKCE', false)
  .option(
    '--introspection',
    'a resource server: a confidential client that may only introspect tokens (/o/token/introspection)',
    false,
  )
  .action(
    (opts: { clientId: string; name: string; redirectUri?: string[]; confidential: boolean; introspection: boolean }) =>
      withDatabase(async ({ orm }) => {
        if (opts.introspection && opts.redirectUri) {
          throw new Error('--introspection takes no --redirect-uri: a resource server gets no tokens');
        }
        await migrateDatabase(orm);
        const client = opts.introspection
          ? await registerIntrospectionClient(orm.em.fork(), { clientId: opts.clientId, name: opts.name })
          : await registerClient(orm.em.fork(), {
              clientId: opts.clientId,
              name: opts.name,
              redirectUris: opts.redirectUri ?? [],
              confidential: opts.confidential,
            });
        console.log(`registered client ${client.clientId}`);
        if (client.clientSecret) console.log(`client secret (shown only now): ${client.clientSecret}`);
      }),
  );

interface CreateClientOptions {
  name: string;
  clientId: string;
  redirectUri: string[];
  invitationUrl?: string;
  dataSource: number[];
  confidential: boolean;
  study: number[];
}

program
  .command('create-client')
  .description(
    'register an app patients use (CommonHealth, CareX, …): its OAuth client and client record, optionally held by studies',
  )
  .requiredOption('--name <name>', 'the app’s name')
  .requiredOption('--client-id <id>', 'its OAuth client id, e.g. carex')
  .requiredOption('--redirect-uri <uri>', 'a redirect URI it may use (repeatable)', collect)
  .option(
    '--invitation-url <url>',
    'where invitations send the patient, with CODE in it (default: INVITATION_LINK_PREFIX)',
  )
  .option('--data-source <id>', 'a data source its tokens may upload from (repeatable)', collectIds, [])
  .option('--confidential', 'issue a client secret (shown once); default: a public client with PKCE', false)
  .option('--study <id>', 'a study that holds it: its patients may be invited to it (repeatable)', collectIds, [])
  .action((opts: CreateClientOptions) =>
    withDatabase(async ({ orm }) => {
      await migrateDatabase(orm);
      // all or nothing: the client is not left behind when a study is refused
      const { client, clientSecret } = await orm.em
        .fork()
        .transactional(async (em) => {
          const ctx: ServiceContext = { em, viewer: CLI_VIEWER };
          const created = await createClient(ctx, {
            name: opts.name,
            oauthClientId: opts.clientId,
            redirectUris: opts.redirectUri,
            confidential: opts.confidential,
            invitationUrl: opts.invitationUrl ?? null,
            dataSourceIds: opts.dataSource,
          });
          for (const study of new Set(opts.study)) await addStudyClient(ctx, study, created.client.id);
          return created;
        })
        .catch((error: unknown) => {
          throw withFlag(error);
        });
      console.log(`created client ${client.oauthClientId} (client record id ${client.id})`);
      if (opts.study.length > 0) console.log(`held by studies ${[...new Set(opts.study)].join(', ')}`);
      if (clientSecret) console.log(`client secret (shown only now): ${clientSecret}`);
    }),
  );

/** Runs the command line; an error is one line on stderr and exit code 1. */
export function runCli(cli: Command): void {
  cli.parseAsync().catch((error: unknown) => {
    const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    process.exit(1);
  });
}
