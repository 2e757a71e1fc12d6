import PgBoss from 'pg-boss';
import type { Orm } from '../db/orm.js';
import type { Logger } from '../observability/logger.js';

/** pg-boss keeps its tables in this schema of the gateway's own database: no other server to run. */
const SCHEMA = 'pgboss';
const START_RETRY_MS = 5000;

/** What a handler learns of its job beyond its data. */
export interface JobAttempt {
  /** the attempt's number from 0; a job interrupted by a shutdown is attempted again */
  retryCount: number;
  retryLimit: number;
}

export type JobHandler<T> = (data: T, attempt: JobAttempt) => Promise<void>;

export interface QueueOptions {
  /** how often an attempt may fail (an error, a shutdown) before the job is given up */
  retryLimit: number;
  /** an active job not finished by then (its process died) is attempted again */
  expireInSeconds: number;
}

/** A queue of background jobs in PostgreSQL, shared by every gateway instance: each job runs in one of them. */
export interface JobQueue {
  send<T extends object>(name: string, data: T, options: QueueOptions): Promise<void>;
  work<T extends object>(name: string, handler: JobHandler<T>): void;
  /** waits for running handlers (up to `timeoutMs`); jobs still running then are failed, to be attempted again */
  stop(timeoutMs?: number): Promise<void>;
}

/** The URL of the ORM's database (its `dbName` may differ from the URL's path). */
function databaseUrl(orm: Orm): string {
  const url = new URL(orm.config.get('clientUrl')!);
  const dbName = orm.config.get('dbName');
  if (dbName) url.pathname = `/${dbName}`;
  return url.toString();
}

const newBoss = (url: string, extra: Partial<PgBoss.ConstructorOptions> = {}) =>
  new PgBoss({ connectionString: url, schema: SCHEMA, max: 3, application_name: 'hxg-jobs', ...extra });

/** Creates (or upgrades) pg-boss's tables, as the gateway does when it starts (the tests' template database). */
export async function migrateJobQueue(url: string): Promise<void> {
  const boss = newBoss(url, { supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false });
}

/**
 * pg-boss on the ORM's database, started once `ready` resolves (the database reachable and migrated; retried
 * while it fails). Workers poll every 2 s; a send wakes this process's worker at once.
 */
export function jobQueue(orm: Orm, log: Logger, ready: Promise<void>): JobQueue {
  const boss = newBoss(databaseUrl(orm), { schedule: false });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  let stopped = false;
  let abort = () => {};
  const aborted = new Promise<void>((resolve) => (abort = resolve));
  const workers = new Map<string, string>();
  const queues = new Map<string, Promise<void>>();
  const started: Promise<boolean> = Promise.race([ready, aborted]).then(async function start(): Promise<boolean> {
    while (!stopped) {
      try {
        await boss.start();
        return true;
      } catch (error) {
        log.warn({ err: error }, 'job queue not started; retrying');
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS).unref());
      }
    }
    return false;
  });
  const ensureQueue = (name: string) => {
    let done = queues.get(name);
    if (!done) queues.set(name, (done = boss.createQueue(name, { name })));
    return done;
  };
  const running = async () => {
    if (!(await started)) throw new Error('the job queue is stopped');
  };
  return {
    async send(name, data, options) {
      await running();
      await ensureQueue(name);
      await boss.send(name, data, { retryDelay: 1, ...options });
      const worker = workers.get(name);
      if (worker) boss.notifyWorker(worker);
    },
    work<T extends object>(name: string, handler: JobHandler<T>) {
      void started
        .then(async (ok) => {
          if (!ok) return;
          await ensureQueue(name);
          const id = await boss.work<T>(
            name,
            { batchSize: 1, pollingIntervalSeconds: 2, includeMetadata: true },
            async ([job]) => {
              if (job) await handler(job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit });
            },
          );
          workers.set(name, id);
        })
        .catch((error: unknown) => log.error({ err: error }, `job queue: no worker for ${name}`));
    },
    async stop(timeoutMs = 10_000) {
      stopped = true;
      abort();
      if (await started) await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}
