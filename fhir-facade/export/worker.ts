import type { GraphQLSchema } from 'graphql';
import type Provider from 'oidc-provider';
import { createContext, type GraphQLContext } from '../../graphql/context.js';
import { NO_REQUEST } from '../../src/audit/event.js';
import type { AuditSink } from '../../src/audit/writer.js';
import type { Config } from '../../src/config.js';
import type { Orm } from '../../src/db/orm.js';
import { DomainError } from '../../src/errors.js';
import type { JobAttempt, JobQueue, QueueOptions } from '../../src/jobs/queue.js';
import type { Logger } from '../../src/observability/logger.js';
import type { BulkExportRow } from '../../src/services/bulk-export/exports.js';
import {
  claimRun,
  deleteExpiredExports,
  exportViewer,
  finishRun,
  saveBatch,
} from '../../src/services/bulk-export/runs.js';
import { FhirError } from '../outcome.js';
import { LINE_SOURCES } from './sources.js';

export const EXPORT_QUEUE = 'fhir-bulk-export';
/** expired exports are deleted this often (or every TTL, if shorter) */
const SWEEP_MS = 60_000;

export interface ExportJob {
  exportId: string;
}

export interface WorkerDependencies {
  schema: GraphQLSchema;
  orm: Orm;
  provider: Provider;
  config: Config;
  audit: AuditSink;
  queue: JobQueue;
  log: Logger;
}

/** A shutdown stopped the attempt between two batches: pg-boss attempts the job again, from its checkpoint. */
class Interrupted extends Error {}

/** How a job that cannot go on failed: a refusal keeps its code, anything else is an internal error. */
function failure(error: unknown): { code: string; message: string } | null {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  if (error instanceof FhirError && error.status < 500) {
    return {
      code: error.status === 404 ? 'NOT_FOUND' : error.status === 403 ? 'FORBIDDEN' : 'INVALID',
      message: error.message,
    };
  }
  return null;
}

export const queueOptions = (config: Config): QueueOptions => ({
  retryLimit: 20,
  expireInSeconds: config.bulkExport.jobExpireSeconds,
});

/**
 * Runs bulk exports from the queue: each attempt claims its export, rebuilds the requester's viewer as they are
 * now (with the kickoff token's scopes), and writes each type's lines from where the checkpoint says, batch by
 * batch, each batch stored with its checkpoint. Expired exports are deleted every minute (or TTL).
 */
export function startExportWorker(deps: WorkerDependencies) {
  const { ttlSeconds, batchRows, fileLines } = deps.config.bulkExport;
  let stopping = false;

  async function writeExport(context: GraphQLContext, job: BulkExportRow): Promise<boolean> {
    const em = context.services.em;
    const at = job.checkpoint ?? { typeIndex: 0, cursor: null, part: 0, partLines: 0 };
    for (let typeIndex = at.typeIndex; typeIndex < job.types.length; typeIndex++) {
      const type = job.types[typeIndex]!;
      const resumed = typeIndex === at.typeIndex;
      let part = resumed ? at.part : 0;
      let partLines = resumed ? at.partLines : 0;
      const source = LINE_SOURCES[type]({
        schema: deps.schema,
        context,
        job,
        cursor: resumed ? at.cursor : null,
        batchRows,
      });
      // the next batch is read and written out while this one is stored (a read-ahead of one)
      const batches = source[Symbol.asyncIterator]();
      let next = batches.next();
      try {
        for (;;) {
          const { done, value: batch } = await next;
          if (done) break;
          next = batches.next();
          if (stopping) throw new Interrupted('the gateway is shutting down');
          if (partLines >= fileLines) [part, partLines] = [part + 1, 0];
          partLines += batch.lines;
          const checkpoint = { typeIndex, cursor: batch.cursor, part, partLines };
          if (!(await saveBatch(em, job, { type, ndjson: batch.ndjson, lines: batch.lines, checkpoint }))) return false;
        }
      } finally {
        next.catch(() => {}); // a read ahead of a batch not taken fails with its source, unseen
        await batches.return?.(undefined); // ends the source's cursor, also when the job stops early
      }
      const nextType = { typeIndex: typeIndex + 1, cursor: null, part: 0, partLines: 0 };
      if (!(await saveBatch(em, job, { type, ndjson: '', lines: 0, checkpoint: nextType }))) return false;
    }
    return true;
  }

  /** The trail's event of a finished export: its rows per type, or why it failed. */
  function auditCompletion(
    context: GraphQLContext,
    job: BulkExportRow,
    finished: BulkExportRow | null,
    code: string | null,
  ) {
    const counts = finished?.counts ?? {};
    context.audit.recordCall(
      'BulkExport.complete',
      { resourceType: 'BulkExport', action: 'read' },
      {
        params: { id: job.id, studyId: job.studyId, types: job.types, counts },
        resourceIds: job.studyId === null ? [] : [job.studyId],
        patientIds: [],
        rowCount: Object.values(counts).reduce((a, b) => a + (b ?? 0), 0),
      },
      code,
    );
    context.audit.commit();
  }

  async function run({ exportId }: ExportJob, attempt: JobAttempt): Promise<void> {
    const em = deps.orm.em.fork();
    const job = await claimRun(em, exportId);
    if (!job) return; // cancelled, expired or finished meanwhile
    let context: GraphQLContext | null = null;
    try {
      const viewer = await exportViewer(em, job);
      context = createContext(
        em,
        viewer,
        { provider: deps.provider, config: deps.config },
        { sink: deps.audit, request: { ...NO_REQUEST, face: 'fhir' } },
      );
      if (!(await writeExport(context, job))) return;
      const finished = await finishRun(em, job, ttlSeconds);
      if (finished) auditCompletion(context, job, finished, null);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      const failed = failure(error);
      if (!failed && attempt.retryCount < attempt.retryLimit) throw error;
      if (!failed) deps.log.error({ err: error, exportId }, 'bulk export failed');
      const why = failed ?? { code: 'INTERNAL_SERVER_ERROR', message: 'The export failed; start it again' };
      if ((await finishRun(em, job, ttlSeconds, why)) && context) auditCompletion(context, job, null, why.code);
    }
  }

  deps.queue.work<ExportJob>(EXPORT_QUEUE, run);
  const sweep = setInterval(
    () => {
      deleteExpiredExports(deps.orm.em.fork()).catch((error: unknown) =>
        deps.log.warn({ err: error }, 'could not delete expired bulk exports'),
      );
    },
    Math.min(SWEEP_MS, ttlSeconds * 1000),
  ).unref();
  return {
    /** stops taking batches: running attempts end at their next batch, to be resumed by another start */
    stop() {
      stopping = true;
      clearInterval(sweep);
    },
  };
}
