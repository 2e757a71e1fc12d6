import type { Config } from '../../config.js';
import { UnavailableError } from '../../errors.js';
import type { JobQueue, QueueOptions } from '../../jobs/queue.js';
import type { ServiceContext } from '../context.js';

/** The queue bulk exports run from (the FHIR face's worker takes them). */
export const EXPORT_QUEUE = 'fhir-bulk-export';

export interface ExportJob {
  exportId: string;
}

export const exportQueueOptions = (config: Config): QueueOptions => ({
  retryLimit: 20,
  expireInSeconds: config.bulkExport.jobExpireSeconds,
});

/**
 * Queues a just-recorded export for the worker, whichever face started it; when the queue cannot take it, the
 * export is deleted again and the caller told to retry (nothing is left queued that no job will run).
 */
export async function queueExport(
  ctx: ServiceContext,
  jobs: JobQueue | null | undefined,
  exportId: string,
  config: Config,
) {
  try {
    if (!jobs) throw new Error('no job queue');
    await jobs.send<ExportJob>(EXPORT_QUEUE, { exportId }, exportQueueOptions(config));
  } catch {
    await ctx.em.getConnection().execute('delete from bulk_exports where id = ?', [exportId]);
    throw new UnavailableError('The export could not be queued; try again shortly');
  }
}
